// intranet_client.mjs - the intranet's side of the protocol in Node.js with
// the `zeromq` npm package (v6): a DEALER socket, every request numbered
// with an "id" and its reply matched by that id; CURVE when keys are given.
//
//   node intranet_client.mjs ENDPOINT [SERVER.pub CLIENT]
//
// CLIENT is the prefix given to `ambassador keygen` (CLIENT.key, CLIENT.pub).
import { readFileSync } from "node:fs";
import * as zmq from "zeromq";

const [endpoint = "tcp://127.0.0.1:5555", serverPub, client] = process.argv.slice(2);
const key = (path) => readFileSync(path, "utf8").trim();
const sock = new zmq.Dealer({ linger: 0, receiveTimeout: 5000 });
if (serverPub && client) {
  sock.curveServerKey = key(serverPub);
  sock.curvePublicKey = key(`${client}.pub`);
  sock.curveSecretKey = key(`${client}.key`);
}
sock.connect(endpoint);

let nextId = 0;
// Sends one request; resolves with the reply whose "id" matches it.
// Replies to earlier requests that arrive late are skipped.
async function ask(request) {
  const id = `node-${++nextId}`;
  await sock.send(JSON.stringify({ ...request, id }));
  for (;;) {
    const frames = await sock.receive(); // throws on receiveTimeout
    const reply = JSON.parse(frames[frames.length - 1].toString("utf8"));
    if (reply.id === id) return reply;
  }
}

try {
  const ping = await ask({ op: "ping" });
  console.log("served snapshot:", ping.snapshot ? ping.snapshot.id : "none", "role:", ping.role);
  const inv = await ask({ op: "invitations", limit: 5 });
  if (!inv.ok) throw new Error(`${inv.error.code}: ${inv.error.message}`);
  for (const p of inv.items) console.log(`${p.employee_id}\t${p.name}\t${p.email}\t${p.department}`);
} catch (e) {
  console.error("intranet_client:", e.message);
  process.exitCode = 1;
} finally {
  sock.close();
}
