#!/usr/bin/python3
"""End-to-end test of test plan F1 with the server's socket monitor: a client
with a valid CURVE key that is not on the allowlist never reaches the
application, the ROUTER's monitor reports the refused handshake
(HANDSHAKE_FAILED_AUTH, status 400), and the server logs it with the key's
fingerprint only (never the key, never a name), once per key and rate-limited
however often the client reconnects. Prints 'N passed, N failed'; exits
non-zero on failure.
"""
import os
import re
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zmq  # noqa: E402

from svc_helpers import (Results, Server, db_count, free_port, keygen, make_db,  # noqa: E402
                         request)

N = 20
REFUSAL = re.compile(r"refused a CURVE client \(key (\S+)\.\.\., status (\d+)\)")


def setup(tmp):
    _, spub, ssec = keygen(tmp, "server")
    _, hpub, hsec = keygen(tmp, "hr")
    clients = os.path.join(tmp, "clients.csv")
    with open(clients, "w") as f:
        f.write("public_key,role,name\n%s,hr,hr-portal-name\n" % hpub)
    return spub, (hpub, hsec), clients, os.path.join(tmp, "server.key")


def knock(ep, server_pub, pub, sec, seconds):
    """A REQ client with an unlisted key that keeps trying for `seconds`
    (libzmq reconnects after each refused handshake). True when it ever got
    a reply (it must not)."""
    ctx = zmq.Context.instance()
    s = ctx.socket(zmq.REQ)
    s.linger = 0
    s.reconnect_ivl = 50
    s.curve_serverkey = server_pub.encode()
    s.curve_publickey = pub.encode()
    s.curve_secretkey = sec.encode()
    s.connect(ep)
    try:
        s.send(b'{"op":"ping"}')
        return bool(s.poll(int(seconds * 1000)) & zmq.POLLIN)
    finally:
        s.close(0)


def refusals(log):
    return [(m.group(1), int(m.group(2))) for m in REFUSAL.finditer(log)]


def wait_for(pred, seconds=3.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


def test_unlisted_key_is_logged_once_by_fingerprint(r, tmp):
    db = os.path.join(tmp, "f1.db")
    make_db(db, N)
    spub, hr, clients, server_key = setup(tmp)
    ep = "tcp://127.0.0.1:%d" % free_port()
    srv = Server(db, ep, extra=["--curve-secret", server_key, "--clients", clients],
                 curve=(spub,) + hr)
    stranger_pub, stranger_sec = zmq.curve_keypair()
    stranger_pub, stranger_sec = stranger_pub.decode(), stranger_sec.decode()
    try:
        rep = request(ep, {"op": "ping"}, curve=(spub,) + hr)
        r.check(rep and rep["ok"], "listed key is served: %r" % rep)
        # The loader writes audit rows in batches: wait until the rows of
        # the pings so far are all in (the count holds for 0.5 s).
        seen = []

        def settled():
            seen.append((time.monotonic(),
                         db_count(db, "SELECT coalesce(sum(requests), 0) FROM audit_log")))
            t, n = seen[-1]
            held = [m for (u, m) in seen if t - u <= 0.5]
            return n > 0 and t - seen[0][0] >= 0.5 and len(set(held)) == 1
        wait_for(settled, 5.0)
        before = db_count(db, "SELECT coalesce(sum(requests), 0) FROM audit_log")
        # About a second of reconnects: many refused handshakes, one key.
        t_first = time.time()
        got = knock(ep, spub, stranger_pub, stranger_sec, 1.2)
        r.check(not got, "F1: the unlisted key gets no reply")
        r.check(wait_for(lambda: refusals(srv.log())), "F1: the refusal is logged")
        time.sleep(0.4)  # the audit log is written every 100 ms
        after = db_count(db, "SELECT coalesce(sum(requests), 0) FROM audit_log")
        r.check(after == before, "F1: no message reached the app (%d -> %d)" % (before, after))
        lines = [x for x in refusals(srv.log()) if stranger_pub.startswith(x[0])]
        r.check(len(lines) == 1, "F1: logged once for its many handshakes: %r" % lines)
        r.check(lines and lines[0][1] == 400,
                "F1: the monitor's HANDSHAKE_FAILED_AUTH status 400 is logged: %r" % lines)
        r.check(lines and len(lines[0][0]) == 8, "F1: an 8-character fingerprint: %r" % lines)
        log = srv.log()
        r.check(stranger_pub not in log and stranger_pub[:12] not in log,
                "F1: the key itself is never logged")
        r.check(stranger_sec not in log and hr[0] not in log and "hr-portal-name" not in log,
                "F1: no secret, no listed key, no client name in the log")
        # A flood of distinct unlisted keys: the log stays rate-limited.
        for _ in range(14):
            p, s = zmq.curve_keypair()
            knock(ep, spub, p.decode(), s.decode(), 0.25)
        wait_for(lambda: len(refusals(srv.log())) >= 10)
        n = len(refusals(srv.log()))
        # The limit is per clock minute: a run that crossed into the next
        # minute may log up to 10 more.
        windows = int(time.time() // 60) - int(t_first // 60) + 1
        r.check(n <= 10 * windows, "F6: at most 10 refusal lines a minute, got %d in %d minute(s)"
                % (n, windows))
        r.check(n >= 5, "F1: distinct keys are each logged until the limit, got %d" % n)
        rep = request(ep, {"op": "rank", "limit": 2}, curve=(spub,) + hr)
        r.check(rep and rep["ok"] and len(rep["items"]) == 2,
                "the listed client is still served after the flood: %r" % rep)
    finally:
        r.check(srv.stop() == 0, "the server exits 0")


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-mon-")
    try:
        for t in (test_unlisted_key_is_logged_once_by_fingerprint,):
            sub = os.path.join(tmp, t.__name__)
            os.mkdir(sub)
            r.run(t, sub)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
