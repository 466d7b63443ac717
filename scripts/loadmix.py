#!/usr/bin/python3
"""scripts/loadmix.py [--clients N] [--requests N] [--reconnect-every K]
(cases H2 and H3, [NIGHTLY]; docs/testing.md, section 'Faults, fuzzing and
analysers').

H2: N clients (default 200), each a DEALER sending R requests (default
1000) one at a time, mixed ops (ping, rank with varying limits and filters,
candidates, explain of a random person, invitations) with 10 % malformed
ones (not JSON, an unknown op, a wrong type, an unknown field, a bad id).
H3: with --reconnect-every K (default 100) each client closes its socket
and opens a new one every K requests.

Pass:
  - every valid request gets an ok reply carrying its own id (explain of a
    person who is not ranked may answer not_found, also correct);
  - every malformed one gets an error reply with a protocol code;
  - nothing lost (5 s timeout per request);
  - the server's RSS is flat after warm-up (the last quarter of the samples
    within +-10 % of the second quarter; the reply cache is bounded, and
    is filled during warm-up) and its open file descriptors are back to
    the baseline (+-5) once the clients are gone;
  - the server exits 0 on SIGTERM.
Uses build/release/ambassador unless AMB_BINARY is set. Prints the figures
and '1 passed, 0 failed' or '0 passed, 1 failed'.
"""
import argparse
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
os.environ.setdefault("AMB_BINARY", os.path.join(ROOT, "build", "release", "ambassador"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import zmq  # noqa: E402
from svc_helpers import (Server, dealer, fd_count, make_db, person_id,  # noqa: E402
                         rss_kib)

CODES = {"bad_request", "unknown_op", "forbidden", "not_found", "unavailable", "internal"}
PEOPLE = 300


def valid_request(rnd, rid):
    kind = rnd.randrange(5)
    if kind == 0:
        return {"op": "ping", "id": rid}
    if kind == 1:
        req = {"op": "rank", "limit": rnd.choice([5, 10, 20, 50]), "id": rid}
        if rnd.random() < 0.3:
            req["offset"] = rnd.randrange(0, 50)
        return req
    if kind == 2:
        return {"op": "candidates", "size": rnd.choice([5, 10, 20]), "id": rid}
    if kind == 3:
        return {"op": "explain", "employee_id": person_id(rnd.randrange(1, PEOPLE + 1)),
                "id": rid}
    return {"op": "invitations", "limit": rnd.choice([3, 10]), "id": rid}


def malformed_request(rnd, rid):
    kind = rnd.randrange(5)
    if kind == 0:
        return b"{not json" + bytes([rnd.randrange(256)])
    if kind == 1:
        return json.dumps({"op": "no_such_op", "id": rid}).encode()
    if kind == 2:
        return json.dumps({"op": "rank", "limit": "twenty", "id": rid}).encode()
    if kind == 3:
        return json.dumps({"op": "rank", "colour": "blue", "id": rid}).encode()
    return json.dumps({"op": "ping", "id": [rid]}).encode()


def client(ep, n, every, seed, stats, lock):
    rnd = random.Random(seed)
    ctx = zmq.Context.instance()
    sock = dealer(ep, ctx=ctx)
    local = {"ok": 0, "malformed_ok": 0, "lost": 0, "wrong": 0, "reconnects": 0}
    for i in range(n):
        if every and i and i % every == 0:
            sock.close(0)
            sock = dealer(ep, ctx=ctx)
            local["reconnects"] += 1
        rid = "%d-%d" % (seed, i)
        bad = rnd.random() < 0.10
        payload = malformed_request(rnd, rid) if bad else json.dumps(
            valid_request(rnd, rid)).encode()
        sock.send_multipart([b"", payload])
        if not (sock.poll(5000) & zmq.POLLIN):
            local["lost"] += 1
            sock.close(0)
            sock = dealer(ep, ctx=ctx)
            continue
        try:
            reply = json.loads(sock.recv_multipart()[-1])
        except ValueError:
            local["wrong"] += 1
            continue
        if bad:
            good = (reply.get("ok") is False and reply.get("error", {}).get("code") in CODES)
            local["malformed_ok" if good else "wrong"] += 1
        else:
            good = reply.get("id") == rid and (
                reply.get("ok") is True or reply.get("error", {}).get("code") == "not_found")
            local["ok" if good else "wrong"] += 1
    sock.close(0)
    with lock:
        for k, v in local.items():
            stats[k] = stats.get(k, 0) + v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--reconnect-every", type=int, default=100)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="amb-loadmix-")
    failures = []
    try:
        db = os.path.join(tmp, "l.db")
        make_db(db, PEOPLE)
        ep = "ipc://%s/l.sock" % tmp
        srv = Server(db, ep, extra=["--workers", "2"])
        time.sleep(0.5)
        fds0 = fd_count(srv.proc.pid)
        stats, lock = {}, threading.Lock()
        threads = [threading.Thread(target=client, args=(ep, args.requests,
                                                         args.reconnect_every, s, stats, lock))
                   for s in range(args.clients)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        rss = []
        while any(t.is_alive() for t in threads):
            rss.append(rss_kib(srv.proc.pid))
            time.sleep(0.5)
        for t in threads:
            t.join()
        took = time.monotonic() - t0
        time.sleep(1.0)  # let the server close the departed clients' pipes
        fds1 = fd_count(srv.proc.pid)
        rc = srv.stop(signal.SIGTERM, timeout=15)
        total = args.clients * args.requests
        print("requests %d in %.1f s (%.0f/s): ok %d, malformed answered %d, wrong %d, lost %d,"
              " reconnects %d" % (total, took, total / took, stats.get("ok", 0),
                                  stats.get("malformed_ok", 0), stats.get("wrong", 0),
                                  stats.get("lost", 0), stats.get("reconnects", 0)))
        q = max(1, len(rss) // 4)
        second, last = rss[q:2 * q] or rss, rss[-q:]
        m2, m4 = sum(second) / len(second), sum(last) / len(last)
        print("server RSS KiB: first %d, second quarter %.0f, last quarter %.0f, max %d;"
              " FDs %d -> %d" % (rss[0] if rss else 0, m2, m4, max(rss or [0]), fds0, fds1))
        if stats.get("lost", 0) or stats.get("wrong", 0):
            failures.append("lost or wrong replies")
        if stats.get("ok", 0) + stats.get("malformed_ok", 0) != total:
            failures.append("not every request answered correctly")
        if m2 and abs(m4 - m2) / m2 > 0.10:
            failures.append("RSS not flat: %.0f -> %.0f KiB" % (m2, m4))
        if abs(fds1 - fds0) > 5:
            failures.append("FDs %d -> %d" % (fds0, fds1))
        if rc != 0:
            failures.append("serve exit %r" % rc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for f in failures:
        print("FAIL: " + f)
    print("%d passed, %d failed" % (0 if failures else 1, 1 if failures else 0))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
