#!/usr/bin/python3
"""C9 (docs/testing.md, section 'Faults, fuzzing and analysers'): SIGTERM during
an import and SIGTERM to `serve` under request load.

Ingest: an activity export of 300 000 generated events (bench/gen_activity.py,
synthetic ids only) is imported into a copy of a database that holds its
roster; SIGTERM arrives after a random delay within the import's measured
run time or just after it (5 rounds; 30 with NIGHTLY=1). Each round: the process is gone
within 5 s; PRAGMA integrity_check is ok; the ordered dump equals the
pre-import or the fully-imported dump (no third state); exit status 0 only
if the import landed.

Serve: 20 DEALER clients with 2 requests each in flight (unique ids) load
`serve -v`; SIGTERM after 1.5 s (2 rounds; 10 with NIGHTLY=1). The server
exits with 0 within 5 s and logs that it stopped with 0 replies dropped;
every message a client got is one frame of whole JSON, ok, answering one of
its own requests, and none twice; integrity_check is ok afterwards.

Environment: AMB_BINARY (required), AMB_SOURCE_DIR, NIGHTLY=1, SIGTERM_SEED.
Prints 'N passed, N failed'.
"""
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zmq  # noqa: E402

from svc_helpers import (BINARY, SOURCE, Results, Server, dump_digest, make_db,  # noqa: E402
                         person_id)

NIGHTLY = os.environ.get("NIGHTLY") == "1"
INGEST_ROUNDS = 30 if NIGHTLY else 5
SERVE_ROUNDS = 10 if NIGHTLY else 2
EVENTS = 300000
PEOPLE = 2000
EXIT_BOUND_S = 5.0
SEED = int(os.environ.get("SIGTERM_SEED", str(int(time.time()))))
ENV = dict(os.environ, AMBASSADOR_NOW="2025-03-01T12:00:00Z")
for k in ("AMB_FAULT", "AMB_FAULT_ROW"):
    ENV.pop(k, None)


def amb(args, db, timeout=120):
    return subprocess.run([BINARY, "--db", db, "-q"] + args, env=ENV, timeout=timeout,
                          capture_output=True, text=True)


def test_sigterm_during_activity_import(r, tmp):
    rng = random.Random(SEED)
    gen = os.path.join(SOURCE, "bench", "gen_activity.py")
    data = os.path.join(tmp, "data")
    # Events end before the fixed clock of ENV (no "in the future" rows).
    subprocess.run([sys.executable, gen, "--people", str(PEOPLE), "--events", str(EVENTS),
                    "--out", data, "--start", "2023-01-02", "--weeks", "104"],
                   check=True, timeout=300)
    events = os.path.join(data, "events.csv")
    base = os.path.join(tmp, "base.db")
    r.check(amb(["init"], base).returncode == 0, "init")
    p = amb(["import", "roster", os.path.join(data, "roster.csv")], base)
    r.check(p.returncode == 0, "roster import: " + p.stderr)
    integrity, pre = dump_digest(base)
    ref = os.path.join(tmp, "ref.db")
    shutil.copy(base, ref)
    t0 = time.monotonic()
    p = amb(["import", "activity", events], ref)
    took = time.monotonic() - t0
    r.check(p.returncode == 0, "reference activity import: " + p.stderr)
    _, full = dump_digest(ref)
    r.check(pre != full, "the import changes the dump")
    print("    seed %d; %d events import in %.2f s" % (SEED, EVENTS, took), flush=True)

    seen = {"pre": 0, "full": 0, "third": 0}
    slowest = 0.0
    codes = {}
    for i in range(INGEST_ROUNDS):
        db = os.path.join(tmp, "it.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.remove(db + suffix)
        shutil.copy(base, db)
        delay = rng.uniform(0.05, max(0.1, took * 1.1))  # sometimes after the end
        proc = subprocess.Popen([BINARY, "--db", db, "-q", "import", "activity", events],
                                env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        t_sig = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = proc.communicate(timeout=EXIT_BOUND_S)
            gone = time.monotonic() - t_sig
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
            gone = float("inf")
        slowest = max(slowest, gone)
        rc = proc.returncode
        codes[rc] = codes.get(rc, 0) + 1
        integrity, digest = dump_digest(db)
        state = "pre" if digest == pre else "full" if digest == full else "third"
        seen[state] += 1
        name = "round %d (SIGTERM after %.2f s)" % (i, delay)
        r.check(gone <= EXIT_BOUND_S, "%s: exit took %.1f s" % (name, gone))
        r.check(integrity == "ok", "%s: integrity_check %s" % (name, integrity))
        r.check(state in ("pre", "full"), "%s: dump is neither pre nor full" % name)
        r.check(rc != 0 or state == "full", "%s: exit 0 but the import is not there" % name)
        r.check("Sanitizer" not in err.decode(errors="replace"),
                "%s: sanitizer report: %s" % (name, err.decode(errors="replace")[:2000]))
    print("    %d SIGTERMs: states %r, exit codes %r, slowest exit %.2f s" %
          (INGEST_ROUNDS, seen, codes, slowest), flush=True)


class Loader(threading.Thread):
    """A DEALER client keeping WINDOW requests in flight until told to stop."""
    WINDOW = 2

    def __init__(self, c, ep, stop):
        super().__init__(daemon=True)
        self.c, self.ep, self.stop = c, ep, stop
        self.sent = {}
        self.got = set()
        self.bad = []
        self.after_term = 0
        self.t_term = None

    def run(self):
        s = zmq.Context.instance().socket(zmq.DEALER)
        s.linger = 0
        s.connect(self.ep)
        n = 0

        def send():
            nonlocal n
            req = {"op": ("rank", "explain", "invitations", "ping")[n % 4], "limit": 50,
                   "id": "c%d-%d" % (self.c, n)}
            if req["op"] == "explain":
                req = {"op": "explain", "employee_id": person_id(1 + n % 100), "id": req["id"]}
            elif req["op"] == "ping":
                del req["limit"]
            s.send(json.dumps(req).encode())
            self.sent[req["id"]] = req["op"]
            n += 1

        try:
            for _ in range(self.WINDOW):
                send()
            # After the stop event: keep reading (no new requests) for 3 s.
            quiet_until = None
            while True:
                if self.stop.is_set() and quiet_until is None:
                    quiet_until = time.monotonic() + 3
                if quiet_until is not None and time.monotonic() > quiet_until:
                    break
                if not s.poll(100) & zmq.POLLIN:
                    continue
                frames = s.recv_multipart()
                try:
                    if len(frames) != 1:
                        raise ValueError("%d frames" % len(frames))
                    rep = json.loads(frames[0])
                    rid = rep.get("id")
                    if rid not in self.sent:
                        raise ValueError("unknown id %r" % rid)
                    if rid in self.got:
                        raise ValueError("second reply for %s" % rid)
                    if not rep.get("ok"):
                        raise ValueError("error reply %r" % rep)
                    self.got.add(rid)
                    if self.t_term is not None:
                        self.after_term += 1
                except ValueError as e:
                    self.bad.append("%s: %r" % (e, frames[:2]))
                if quiet_until is None:
                    send()
        finally:
            s.close(0)


def test_sigterm_to_serve_under_load(r, tmp):
    db = os.path.join(tmp, "serve.db")
    make_db(db, 300)
    for rnd in range(SERVE_ROUNDS):
        ep = "ipc://%s/term%d.sock" % (tmp, rnd)
        srv = Server(db, ep, global_opts=["-v"])
        stop = threading.Event()
        loaders = [Loader(c, ep, stop) for c in range(20)]
        for lo in loaders:
            lo.start()
        time.sleep(1.5)
        for lo in loaders:
            lo.t_term = time.monotonic()
        t0 = time.monotonic()
        srv.proc.send_signal(signal.SIGTERM)
        try:
            rc = srv.proc.wait(EXIT_BOUND_S)
        except subprocess.TimeoutExpired:
            rc = None
        took = time.monotonic() - t0
        stop.set()
        rc2 = srv.stop(signal.SIGKILL)  # reaps; collects sanitizer reports
        for lo in loaders:
            lo.join(10)
        log = srv.log()
        m = re.search(r"stopped; (\d+) replies dropped", log)
        inflight = re.search(r"answering (\d+) requests in flight", log)
        sent = sum(len(lo.sent) for lo in loaders)
        got = sum(len(lo.got) for lo in loaders)
        after = sum(lo.after_term for lo in loaders)
        bad = [b for lo in loaders for b in lo.bad]
        print("    round %d: exit %r in %.2f s; %d requests, %d replies (%d after SIGTERM),"
              " %s in flight at SIGTERM, %s dropped" %
              (rnd, rc, took, sent, got, after, inflight.group(1) if inflight else "?",
               m.group(1) if m else "?"), flush=True)
        name = "serve round %d" % rnd
        r.check(rc == 0 and took <= EXIT_BOUND_S,
                "%s: exit %r after %.1f s (then %r)" % (name, rc, took, rc2))
        r.check(got > 100, "%s: only %d replies before SIGTERM: no load" % (name, got))
        r.check(not bad, "%s: broken replies: %r" % (name, bad[:3]))
        r.check(m is not None and m.group(1) == "0",
                "%s: stop line with 0 replies dropped: %s" % (name, log[-1500:]))
        r.check(all(not lo.is_alive() for lo in loaders), "%s: a client thread hangs" % name)
    integrity, _ = dump_digest(db)
    r.check(integrity == "ok", "integrity_check after the serve rounds: %s" % integrity)


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-sigterm-")
    try:
        for t in (test_sigterm_during_activity_import, test_sigterm_to_serve_under_load):
            sub = os.path.join(tmp, t.__name__)
            os.mkdir(sub)
            r.run(t, sub)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
