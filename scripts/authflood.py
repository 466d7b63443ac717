#!/usr/bin/python3
"""scripts/authflood.py [--minutes N] [--rate PER_MIN] (case F6, [NIGHTLY];
docs/testing.md, section 'Faults, fuzzing and analysers').

`ambassador serve` with CURVE and a CLIENTS.csv allowlist takes a flood of
failed-auth connection attempts: RATE a minute (default 1000) for N minutes
(default 10), each a fresh CURVE DEALER with a random key pair that is not
on the allowlist, which sends one request and waits for the handshake to
fail (socket monitor: HANDSHAKE_FAILED_AUTH). Meanwhile one allowlisted
client sends a request every 100 ms. Every 5 s the server's RSS and open
file descriptors are sampled.

Pass:
  - every flood attempt is refused (failed-auth event), none gets a reply;
  - at least 90% of the target rate was reached;
  - the legitimate client loses no request (3 s timeout each);
  - RSS flat after warm-up: the mean of the last quarter of the samples is
    within +-10% of the mean of the second quarter; FDs within +-5;
  - the log is rate-limited: at most 10 "auth: refused" lines per started
    minute, and at most 20 other lines in all;
  - the audit log holds only the legitimate client's requests;
  - the server still answers, then exits 0 on SIGTERM.
Uses build/release/ambassador unless AMB_BINARY is set. Prints the figures
and '1 passed, 0 failed' or '0 passed, 1 failed'.
"""
import argparse
import json
import os
import re
import shutil
import signal
import sqlite3
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
os.environ.setdefault("AMB_BINARY", os.path.join(ROOT, "build", "release", "ambassador"))
os.environ.setdefault("AMB_SOURCE_DIR", ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import zmq  # noqa: E402
from zmq.utils.monitor import recv_monitor_message  # noqa: E402

from svc_helpers import (BINARY, Server, curve_opts, fd_count, free_port, keygen,  # noqa: E402
                         make_db, request, rss_kib)

FAILED_EVENTS = (zmq.EVENT_HANDSHAKE_FAILED_AUTH | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL |
                 zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL)


def attempt(ctx, ep, server_pub, timeout_s=3.0):
    """One failed-auth attempt: 'auth' (refused with HANDSHAKE_FAILED_AUTH),
    'other-fail', 'reply' (let in: a failure of the test) or 'timeout'."""
    pub, sec = zmq.curve_keypair()
    s = ctx.socket(zmq.DEALER)
    s.linger = 0
    s.sndtimeo = 500  # a send may block (no pipe yet): never hang the flood on it
    curve_opts(s, (server_pub, pub.decode(), sec.decode()))
    mon = s.get_monitor_socket(FAILED_EVENTS | zmq.EVENT_HANDSHAKE_SUCCEEDED)
    try:
        s.connect(ep)
        try:
            s.send(b'{"op":"ping","id":"flood"}')
        except zmq.Again:
            pass  # the handshake still runs; its outcome is what counts
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if s.poll(0) & zmq.POLLIN:
                return "reply"
            if mon.poll(20) & zmq.POLLIN:
                ev = recv_monitor_message(mon)["event"]
                if ev == zmq.EVENT_HANDSHAKE_FAILED_AUTH:
                    return "auth"
                if ev == zmq.EVENT_HANDSHAKE_SUCCEEDED:
                    return "reply"
                return "other-fail"
        return "timeout"
    finally:
        s.disable_monitor()
        mon.close(0)
        s.close(0)


class Legit(threading.Thread):
    def __init__(self, ep, curve, stop):
        super().__init__(daemon=True)
        self.ep, self.curve, self.stop = ep, curve, stop
        self.ok = self.lost = self.errors = 0
        self.lat = []

    def run(self):
        ctx = zmq.Context.instance()
        s = ctx.socket(zmq.DEALER)
        s.linger = 0
        curve_opts(s, self.curve)
        s.connect(self.ep)
        n = 0
        # Byte-identical requests, no per-request id: the server's reply
        # cache is keyed by the exact request bytes, so unique ids would
        # fill it (up to its entry bound) and show up as RSS growth that has
        # nothing to do with the flood. One request in flight and a fresh
        # socket after a loss keep replies matched to requests.
        bodies = (b'{"op":"ping"}', b'{"op":"rank","limit":5}')
        while not self.stop.is_set():
            body = bodies[n % 2]
            n += 1
            t = time.monotonic()
            s.send(body)
            got = False
            if s.poll(3000) & zmq.POLLIN:
                rep = json.loads(s.recv_multipart()[-1])
                got = True
                if rep.get("ok"):
                    self.ok += 1
                else:
                    self.errors += 1
            if got:
                self.lat.append(time.monotonic() - t)
            else:
                self.lost += 1
                s.close(0)  # Lazy Pirate: a fresh socket after a loss
                s = ctx.socket(zmq.DEALER)
                s.linger = 0
                curve_opts(s, self.curve)
                s.connect(self.ep)
            time.sleep(max(0.0, 0.1 - (time.monotonic() - t)))
        s.close(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--rate", type=int, default=1000, help="failed attempts a minute")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="amb-authflood-")
    fails = []
    srv = None
    stop = threading.Event()
    try:
        db = os.path.join(tmp, "f6.db")
        make_db(db, 200)
        _, spub, _ = keygen(tmp, "server")
        _, hpub, hsec = keygen(tmp, "hr")
        clients = os.path.join(tmp, "clients.csv")
        with open(clients, "w") as f:
            f.write("public_key,role,name\n%s,hr,legit-hr\n" % hpub)
        ep = "tcp://127.0.0.1:%d" % free_port()
        hr = (spub, hpub, hsec)
        srv = Server(db, ep, extra=["--curve-secret", os.path.join(tmp, "server.key"),
                                    "--clients", clients], curve=hr)
        pid = srv.proc.pid
        print("authflood: %s, %.2f min at %d failed-auth attempts/min against %s" %
              (BINARY, a.minutes, a.rate, ep), flush=True)
        legit = Legit(ep, hr, stop)
        legit.start()
        ctx = zmq.Context()
        results = {}
        samples = []  # (t, rss KiB, fds)
        t0 = time.monotonic()
        end = t0 + a.minutes * 60
        interval = 60.0 / a.rate
        next_sample = t0
        i = 0
        while time.monotonic() < end:
            now = time.monotonic()
            if now >= next_sample:
                samples.append((now - t0, rss_kib(pid), fd_count(pid)))
                next_sample += 5
                if srv.proc.poll() is not None:
                    fails.append("the server died (rc %r)" % srv.proc.returncode)
                    break
            due = t0 + i * interval
            if due > now:
                time.sleep(min(due - now, 0.05))
                continue
            res = attempt(ctx, ep, spub)
            results[res] = results.get(res, 0) + 1
            i += 1
        elapsed = time.monotonic() - t0
        samples.append((elapsed, rss_kib(pid), fd_count(pid)))
        stop.set()
        legit.join(10)
        ctx.term()
        last = request(ep, {"op": "ping"}, timeout=3000, curve=hr)
        rc = srv.stop(signal.SIGTERM, timeout=15)
        log = srv.log()
        audit = sqlite3.connect(db)
        other_audit = audit.execute(
            "SELECT coalesce(sum(requests), 0) FROM audit_log"
            " WHERE client <> 'legit-hr'").fetchone()[0]
        legit_audit = audit.execute(
            "SELECT coalesce(sum(requests), 0) FROM audit_log"
            " WHERE client = 'legit-hr'").fetchone()[0]
        audit.close()
    finally:
        stop.set()
        if srv is not None and srv.proc.poll() is None:
            srv.stop(signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)

    total = sum(results.values())
    rate = total / (elapsed / 60.0) if elapsed > 0 else 0
    refused_lines = len(re.findall(r"auth: refused", log))
    other_lines = [x for x in log.splitlines() if x and "auth: refused" not in x]
    minutes_started = int(a.minutes) + 2  # windows are wall-clock minutes
    q = max(1, len(samples) // 4)
    warm = samples[q:2 * q] or samples[:1]
    tail = samples[-q:]
    rss_w = sum(s[1] for s in warm) / len(warm)
    rss_e = sum(s[1] for s in tail) / len(tail)
    fd_w = sum(s[2] for s in warm) / len(warm)
    fd_e = sum(s[2] for s in tail) / len(tail)
    lat = sorted(legit.lat)
    p99 = lat[min(len(lat) - 1, int(0.99 * (len(lat) - 1)))] * 1000 if lat else 0.0
    print("attempts: %d in %.1f s (%.0f/min): %r" % (total, elapsed, rate, results))
    print("legit client: %d ok, %d error replies, %d lost; p99 %.1f ms" %
          (legit.ok, legit.errors, legit.lost, p99))
    print("server RSS: %.0f KiB at warm-up -> %.0f KiB at the end (%+.1f%%), max %d KiB;"
          " FDs %.1f -> %.1f" % (rss_w, rss_e, 100.0 * (rss_e - rss_w) / max(rss_w, 1),
                                 max(s[1] for s in samples), fd_w, fd_e))
    print("RSS samples (s:KiB): " + " ".join("%d:%d" % (s[0], s[1]) for s in samples))
    print("log: %d 'auth: refused' lines (limit %d), %d other lines; audit rows: %d legit,"
          " %d other" % (refused_lines, 10 * minutes_started, len(other_lines), legit_audit,
                         other_audit))
    if other_lines:
        print("  other log lines: %r" % other_lines[:5])
    if results.get("auth", 0) != total or total == 0:
        fails.append("not every attempt was refused with HANDSHAKE_FAILED_AUTH: %r" % results)
    if rate < 0.9 * a.rate:
        fails.append("reached only %.0f attempts/min of %d" % (rate, a.rate))
    if legit.lost or legit.errors or legit.ok == 0:
        fails.append("legit client: %d lost, %d errors, %d ok" %
                     (legit.lost, legit.errors, legit.ok))
    if len(samples) >= 4 and not (0.9 * rss_w <= rss_e <= 1.1 * rss_w):
        fails.append("RSS not flat: %.0f -> %.0f KiB" % (rss_w, rss_e))
    if len(samples) >= 4 and abs(fd_e - fd_w) > 5:
        fails.append("FDs not flat: %.1f -> %.1f" % (fd_w, fd_e))
    if refused_lines == 0 or refused_lines > 10 * minutes_started:
        fails.append("refusal log lines %d (want 1..%d)" % (refused_lines, 10 * minutes_started))
    if len(other_lines) > 20:
        fails.append("%d other log lines" % len(other_lines))
    if other_audit != 0 or legit_audit == 0:
        fails.append("audit log: %d legit rows, %d from others" % (legit_audit, other_audit))
    if last is None or not last.get("ok"):
        fails.append("no answer after the flood: %r" % (last,))
    if rc != 0:
        fails.append("server exit code %r on SIGTERM" % rc)
    if "Sanitizer" in log:
        fails.append("sanitizer report: %s" % log[:2000])
    for f in fails:
        print("FAIL: " + f)
    print("1 passed, 0 failed" if not fails else "0 passed, 1 failed")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
