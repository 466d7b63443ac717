#!/usr/bin/python3
"""samples/intranet_client.mjs (Node.js, the `zeromq` npm package) against
a real `ambassador serve`: without CURVE (role intranet) it prints the
served snapshot and its role and exits 0; with CURVE and a listed key the
same; with a key the server does not list it gets no reply and exits 1.

Needs node and the zeromq module, which Debian does not package: the module
is looked up in $AMB_NODE_PATH (a node_modules directory), then
node_modules/ in the source tree. Without them the test exits 77, which
ctest reports as skipped (not passed).
Environment: AMB_BINARY (required), AMB_SOURCE_DIR, AMB_NODE_PATH.
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import SOURCE, Results, Server, keygen, make_db  # noqa: E402

CLIENT = os.path.join(SOURCE, "samples", "intranet_client.mjs")


def node_modules():
    for d in (os.environ.get("AMB_NODE_PATH"), os.path.join(SOURCE, "node_modules")):
        if d and os.path.isfile(os.path.join(d, "zeromq", "package.json")):
            return d
    return None


def run_client(mods, tmp, *args):
    # An .mjs resolves bare imports from node_modules beside it: copy it there.
    script = os.path.join(os.path.dirname(mods), "intranet_client_test.mjs")
    shutil.copyfile(CLIENT, script)
    try:
        return subprocess.run(["node", script] + list(args), capture_output=True, text=True,
                              timeout=60, cwd=tmp)
    finally:
        os.unlink(script)


def plain(r, tmp, mods):
    db = os.path.join(tmp, "plain.db")
    make_db(db)
    ep = "ipc://%s/plain.sock" % tmp
    srv = Server(db, ep, extra=["--role", "intranet"])
    try:
        p = run_client(mods, tmp, ep)
        r.check(p.returncode == 0 and "served snapshot: 1 role: intranet" in p.stdout,
                "node client without CURVE: %r %r" % (p.stdout, p.stderr))
    finally:
        srv.stop()


def curve(r, tmp, mods):
    db = os.path.join(tmp, "curve.db")
    make_db(db)
    server, server_pub, _ = keygen(tmp, "server")
    client, client_pub, client_sec = keygen(tmp, "intranet")
    stranger, _, _ = keygen(tmp, "stranger")
    clients = os.path.join(tmp, "clients.csv")
    with open(clients, "w") as f:
        f.write("public_key,role,name\n%s,intranet,node-test\n" % client_pub)
    ep = "ipc://%s/curve.sock" % tmp
    srv = Server(db, ep, extra=["--curve-secret", server + ".key", "--clients", clients],
                 curve=(server_pub, client_pub, client_sec))
    try:
        p = run_client(mods, tmp, ep, server + ".pub", client)
        r.check(p.returncode == 0 and "role: intranet" in p.stdout,
                "node client with a listed key: %r %r" % (p.stdout, p.stderr))
        p = run_client(mods, tmp, ep, server + ".pub", stranger)
        r.check(p.returncode == 1 and "intranet_client:" in p.stderr,
                "node client with an unlisted key gets no answer: %r" % p.stderr)
    finally:
        srv.stop()


def main():
    mods = node_modules()
    if not shutil.which("node") or not mods:
        print("not run: needs node and the zeromq npm module (npm install zeromq@6; "
              "AMB_NODE_PATH=.../node_modules)")
        sys.exit(77)
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-node-")
    try:
        r.run(plain, tmp, mods)
        r.run(curve, tmp, mods)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


main()
