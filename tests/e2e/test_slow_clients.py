#!/usr/bin/python3
"""Clients that never read (test plan H4).

10 DEALER clients each send REQUESTS `rank limit 1000` requests (unique ids,
so no two replies share bytes) and read nothing, while a normal client goes
on asking. Replies queued to a client are capped at 32 messages (the rest
are dropped and counted), so the server's RSS may grow by at most
10 x 33 x the reply's size + 16 MiB over its warmed-up size (all 2,000
replies queued would be ~400 MB); every request of the normal client is
answered, and the server exits 0 on SIGTERM. A client with more than 16
requests at the workers is answered `unavailable` at once: a second
server whose workers wait 500 ms before each answer (test hook
AMB_TEST_WORKER_DELAY_MS) holds the 30 requests of a burst at its
workers on any machine; without the wait a fast machine answers each
request before the next arrives and the cap is never reached.

With an AddressSanitizer build the RSS is printed, not checked: freed
memory stays in ASan's quarantine.
"""
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import (BINARY, Results, Server, dealer, dealer_request,  # noqa: E402
                         make_db, person_id, rss_kib, sanitized)

import zmq  # noqa: E402

N_PEOPLE = 1200
CLIENTS = 10
REQUESTS = 200
HWM = 32


def test_non_readers(r, tmp):
    db = os.path.join(tmp, "h4.db")
    make_db(db, N_PEOPLE)
    ep = "ipc://%s/h4.sock" % tmp
    srv = Server(db, ep, global_opts=["-v"])
    ctx = zmq.Context.instance()
    normal = dealer(ep)
    try:
        first = dealer_request(normal, {"op": "rank", "limit": 1000}, 10000)
        size = len(json.dumps(first)) if first else 0
        r.check(first and first.get("ok"), "H4 warm-up rank answered")
        base = rss_kib(srv.proc.pid)
        slow = []
        for c in range(CLIENTS):
            s = ctx.socket(zmq.DEALER)
            s.linger = 0
            s.sndhwm = 0
            s.rcvhwm = 1      # the back-pressure reaches the server
            s.rcvbuf = 4096
            s.connect(ep)
            slow.append(s)
        peak, answered, worst = base, 0, 0.0
        for i in range(REQUESTS):
            for c, s in enumerate(slow):
                s.send(json.dumps({"op": "rank", "limit": 1000,
                                   "id": "s%d-%d" % (c, i)}).encode())
            if i % 10 == 0:
                t = time.monotonic()
                rep = dealer_request(normal, {"op": "explain",
                                              "employee_id": person_id(1 + i)}, 10000)
                worst = max(worst, time.monotonic() - t)
                answered += bool(rep and rep.get("ok"))
                peak = max(peak, rss_kib(srv.proc.pid))
        time.sleep(2)
        peak = max(peak, rss_kib(srv.proc.pid))
        grew = (peak - base) / 1024.0
        bound = (CLIENTS * (HWM + 1) * size) / 1048576.0 + 16
        print("    rank limit 1000 reply %d bytes; %d non-reading clients x %d requests: "
              "server RSS %.1f -> peak %.1f MiB (+%.1f); normal client slowest %.0f ms" %
              (size, CLIENTS, REQUESTS, base / 1024.0, peak / 1024.0, grew, worst * 1000))
        asan = sanitized(BINARY)
        if asan:
            print("    AddressSanitizer build: RSS and refusals printed, not checked")
        r.check(asan or grew < bound, "H4 server RSS grew %.1f MiB < %.0f MiB (%d x %d queued "
                "would be %.0f MiB)" % (grew, bound, CLIENTS, REQUESTS,
                                        CLIENTS * REQUESTS * size / 1048576.0))
        r.check(answered == REQUESTS // 10, "H4 the normal client was answered %d/%d" %
                (answered, REQUESTS // 10))
        for s in slow:
            s.close(0)
        rep = dealer_request(normal, {"op": "ping"}, 5000)
        r.check(rep and rep.get("ok"), "H4 served after the non-readers left")
    finally:
        normal.close(0)
        rc = srv.stop()
    r.check(rc == 0, "H4 serve exits 0 on SIGTERM (rc %r)" % rc)
    log = srv.log()
    r.check("replies dropped" in log, "H4 the stop line counts dropped replies")
    print("    " + next((ln for ln in log.splitlines() if "stopped;" in ln), "?")[-200:])


def test_burst_cap(r, tmp):
    """Per-client cap: 30 requests (fewer than the 32 replies a client may
    have queued) that the workers answer (invitations is not cached), sent
    at once to workers that each take 500 ms: 16 are held at the workers,
    the other 14 are answered `unavailable` at once, and the 16 answered."""
    db = os.path.join(tmp, "h4.db")
    ep = "ipc://%s/h4-burst.sock" % tmp
    env = dict(os.environ, AMB_TEST_WORKER_DELAY_MS="500")
    srv = Server(db, ep, global_opts=["-v"], env=env)
    try:
        burst = dealer(ep)
        for i in range(30):
            burst.send(json.dumps({"op": "invitations", "limit": 5, "id": "b%d" % i}).encode())
        replies = {}
        deadline = time.monotonic() + 30
        while len(replies) < 30 and time.monotonic() < deadline:
            if burst.poll(500):
                rep = json.loads(burst.recv_multipart()[-1])
                replies[rep.get("id")] = "ok" if rep.get("ok") else rep["error"]["code"]
        burst.close(0)
        codes = list(replies.values())
        print("    burst of 30 at workers taking 500 ms: %d ok, %d unavailable" %
              (codes.count("ok"), codes.count("unavailable")))
        r.check(sorted(replies) == sorted("b%d" % i for i in range(30)),
                "H4 each of the 30 requests of the burst got its own reply (%d)" % len(replies))
        # Exactly 16 and 14 unless the front end took longer than a
        # worker's 500 ms to read the 30 (a slot freed; one more held).
        ok = codes.count("ok")
        r.check(16 <= ok < 30 and codes.count("unavailable") == 30 - ok,
                "H4 16 held at the workers and answered, the rest refused `unavailable`: %s" %
                replies)
    finally:
        rc = srv.stop()
    r.check(rc == 0, "H4 burst server exits 0 on SIGTERM (rc %r)" % rc)


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-h4-")
    try:
        r.run(test_non_readers, tmp)
        r.run(test_burst_cap, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
