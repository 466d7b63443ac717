#!/usr/bin/python3
"""`serve --max-connections N`: past N open client connections, a new one is
closed as soon as it is accepted (docs/operations.md, section 'Clients that
flood or never read').

With a cap of 4: four DEALER clients are each answered; three more send a
ping every 0.25 s for 3 s and get (almost) nothing (a connection the server
kept would answer all 12; one reply may slip through before the shutdown);
the server holds no more than the cap of client descriptors; the refusal
is logged once with the cap; after two of the first four leave, the others
get in (the third has left; each ping matched to its reply by id) and the two that stayed are
still answered; the stop line counts the closed connections. Without the
cap all seven would be answered. Also: a cap above the open-files limit is
refused with the limit named.
Environment: AMB_BINARY (required). Prints 'N passed, N failed'.
"""
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import (BINARY, Results, Server, dealer, fd_count,  # noqa: E402
                         make_db, matched_reply)

import zmq  # noqa: E402

CAP = 4
_ids = [0]


def ping(sock, timeout):
    """A ping with a fresh id; its reply or None (late replies skipped)."""
    _ids[0] += 1
    rid = "c%d" % _ids[0]
    while sock.poll(0) & zmq.POLLIN:
        sock.recv_multipart()
    sock.send(json.dumps({"op": "ping", "id": rid}).encode())
    return matched_reply(sock, rid, timeout)


def answered_within(sock, seconds):
    """Ping until one is answered or `seconds` pass; True when answered."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ping(sock, 500) is not None:
            return True
    return False


def test_cap(r, tmp):
    db = os.path.join(tmp, "c.db")
    make_db(db, 20)
    ep = "ipc://%s/c.sock" % tmp
    srv = Server(db, ep, extra=["--max-connections", str(CAP)], global_opts=["-v"])
    time.sleep(0.5)  # the readiness probe's connection is closed
    base_fds = fd_count(srv.proc.pid)
    first = [dealer(ep) for _ in range(CAP)]
    extra = []
    try:
        ok = [answered_within(s, 20) for s in first]
        r.check(all(ok), "the first %d clients are answered: %r" % (CAP, ok))
        extra = [dealer(ep) for _ in range(3)]
        got = [0] * len(extra)
        t_end = time.monotonic() + 3
        while time.monotonic() < t_end:
            for i, s in enumerate(extra):
                if ping(s, 50) is not None:
                    got[i] += 1
            time.sleep(0.1)
        r.check(all(g <= 1 for g in got),
                "clients past the cap get no service (answers in 3 s: %r)" % got)
        fds = fd_count(srv.proc.pid)
        r.check(fds <= base_fds + CAP + 2,
                "the server holds at most the cap of client descriptors (%d, %d before)" %
                (fds, base_fds))
        r.check("--max-connections %d" % CAP in srv.log(),
                "the refusal is logged with the cap: %r" % srv.log()[-300:])
        # the third waiting client leaves first: a DEALER reconnects on its
        # own, so it would take one of the two places
        extra.pop().close(0)
        for s in first[:2]:
            s.close(0)
        ok = [answered_within(s, 30) for s in extra[:2]]
        r.check(all(ok), "after two leave, two waiting clients get in: %r" % ok)
        ok = [answered_within(s, 10) for s in first[2:]]
        r.check(all(ok), "the clients that stayed are still answered: %r" % ok)
    finally:
        for s in first[2:] + extra:
            s.close(0)
        rc = srv.stop()
    r.check(rc == 0, "server stops cleanly (rc %r)" % rc)
    r.check("connections closed over the cap of %d" % CAP in srv.log(),
            "the stop line counts the closed connections: %r" % srv.log()[-300:])


def test_cap_above_the_limit(r, tmp):
    db = os.path.join(tmp, "l.db")
    make_db(db, 5)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    lim = 256 if soft == resource.RLIM_INFINITY or soft > 256 else soft

    def lower():
        resource.setrlimit(resource.RLIMIT_NOFILE, (lim, hard))

    p = subprocess.run([BINARY, "--db", db, "serve", "--bind", "ipc://%s/l.sock" % tmp,
                        "--max-connections", "5000"], preexec_fn=lower,
                       capture_output=True, text=True, timeout=30)
    r.check(p.returncode == 2 and "open-files limit allows (%d," % lim in p.stderr and
            "at most %d" % (lim - 64) in p.stderr,
            "a cap above the open-files limit is refused with the limit named: rc %d %r" %
            (p.returncode, p.stderr.strip()))


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-conns-")
    try:
        r.run(test_cap, tmp)
        r.run(test_cap_above_the_limit, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
