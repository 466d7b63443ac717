#!/usr/bin/python3
"""C2 (docs/testing.md, section 'Faults, fuzzing and analysers'): kill -9 of
`ambassador serve` while 50 clients send requests, then a restart on the
same endpoint.

50 client threads, each with a REQ socket and the Lazy Pirate retry
(svc_helpers.LazyPirate: no reply within 1.5 s -> close, reopen, resend the
same request with the same id), send rank/explain/invitations/ping requests
one after the other. About 2 s in, the server gets SIGKILL; 1 s later it is
started again on the same tcp:// endpoint. The clients go on until each has
had 3 replies from the new server. Checks:
  - the kill really hit requests in flight, and some requests were retried;
  - every request is answered in the end (100% of the retried ones), with
    an ok reply carrying its own id;
  - no client hangs: every thread ends within the 90 s bound;
  - the restarted server exits 0 on SIGTERM; PRAGMA integrity_check is ok.
Environment: AMB_BINARY (required), AMB_SOURCE_DIR. Prints 'N passed, N failed'.
"""
import os
import shutil
import signal
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import (LazyPirate, Results, Server, dump_digest, free_port,  # noqa: E402
                         make_db, person_id)

N_PEOPLE = 300
CLIENTS = 50
TIMEOUT_MS = 1500        # Lazy Pirate: per-attempt wait
BOUND_S = 90             # no client may take longer than this in all
AFTER_RESTART = 3        # replies each client needs from the new server


def make_request(c, n):
    kind = (c + n) % 4
    if kind == 0:
        return {"op": "rank", "limit": 10}
    if kind == 1:
        return {"op": "explain", "employee_id": person_id(1 + (c * 7 + n) % (N_PEOPLE - 2))}
    if kind == 2:
        return {"op": "invitations", "limit": 5}
    return {"op": "ping"}


class Client(threading.Thread):
    def __init__(self, c, ep, deadline, restarted):
        super().__init__(daemon=True)
        self.c, self.ep, self.deadline, self.restarted = c, ep, deadline, restarted
        self.sent = self.answered = self.retried = self.retried_answered = 0
        self.after_restart = 0
        self.bad = []          # wrong id, error reply, extra frames
        self.unanswered = []   # request ids never answered before the deadline
        self.pending = None    # id of the request waiting for its reply
        self.max_attempts = 0

    def run(self):
        pirate = LazyPirate(self.ep, timeout=TIMEOUT_MS)
        n = 0
        try:
            while time.monotonic() < self.deadline and self.after_restart < AFTER_RESTART:
                req = make_request(self.c, n)
                req["id"] = "c%d-%d" % (self.c, n)
                n += 1
                self.sent += 1
                self.pending = req["id"]
                was_restarted = self.restarted.is_set()
                rep, attempts = pirate.ask(req, self.deadline)
                self.pending = None
                self.max_attempts = max(self.max_attempts, attempts)
                if attempts > 1:
                    self.retried += 1
                if rep is None:
                    self.unanswered.append(req["id"])
                    break
                self.answered += 1
                if attempts > 1:
                    self.retried_answered += 1
                if rep.get("id") != req["id"] or not rep.get("ok"):
                    self.bad.append(rep)
                if was_restarted:
                    self.after_restart += 1
        finally:
            pirate.close()


def test_kill9_under_load_then_restart(r, tmp):
    db = os.path.join(tmp, "c2.db")
    make_db(db, N_PEOPLE)
    ep = "tcp://127.0.0.1:%d" % free_port()
    srv = Server(db, ep)
    restarted = threading.Event()
    t_start = time.monotonic()
    deadline = t_start + BOUND_S
    clients = [Client(c, ep, deadline, restarted) for c in range(CLIENTS)]
    srv2 = None
    try:
        for cl in clients:
            cl.start()
        # Kill once every client has had 2 replies and the load has run for
        # 1.5 s, or after 10 s at the latest.
        t_wait = time.monotonic() + 10
        while time.monotonic() < t_wait and (min(cl.answered for cl in clients) < 2 or
                                             time.monotonic() - t_start < 1.5):
            time.sleep(0.05)
        in_flight = sum(1 for cl in clients if cl.pending is not None)
        before_kill = sum(cl.answered for cl in clients)
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait(10)
        t_kill = time.monotonic()
        print("    killed the server after %.1f s: %d replies so far, %d requests in flight"
              % (t_kill - t_start, before_kill, in_flight), flush=True)
        time.sleep(1.0)
        srv2 = Server(db, ep)  # same endpoint; waits until it answers a ping
        restarted.set()
        print("    restarted after %.1f s down" % (time.monotonic() - t_kill), flush=True)
        for cl in clients:
            cl.join(max(0.0, deadline - time.monotonic()) + 5)
        hung = [cl.c for cl in clients if cl.is_alive()]
        took = time.monotonic() - t_start
    finally:
        srv.stop(signal.SIGKILL)
        rc = srv2.stop() if srv2 else None
    sent = sum(cl.sent for cl in clients)
    answered = sum(cl.answered for cl in clients)
    retried = sum(cl.retried for cl in clients)
    retried_ok = sum(cl.retried_answered for cl in clients)
    bad = [b for cl in clients for b in cl.bad]
    unanswered = [u for cl in clients for u in cl.unanswered]
    print("    %d clients: %d requests, %d answered; %d retried, %d of them answered;"
          " most attempts for one request %d; %.1f s in all"
          % (CLIENTS, sent, answered, retried, retried_ok,
             max(cl.max_attempts for cl in clients), took), flush=True)
    r.check(in_flight > 0, "the kill hit no request in flight (%d)" % in_flight)
    r.check(retried > 0, "no request was retried: the kill was not mid-run")
    r.check(not hung, "clients still running after %d s: %s" % (BOUND_S, hung[:10]))
    r.check(not unanswered, "requests never answered: %s" % unanswered[:10])
    r.check(retried_ok == retried, "retried requests answered: %d of %d" % (retried_ok, retried))
    r.check(answered == sent, "answered %d of %d requests" % (answered, sent))
    r.check(not bad, "wrong or error replies: %r" % bad[:3])
    r.check(all(cl.after_restart >= AFTER_RESTART for cl in clients),
            "some clients got fewer than %d replies from the restarted server" % AFTER_RESTART)
    r.check(rc == 0, "restarted server exits 0 on SIGTERM (rc %r): %s" %
            (rc, srv2.log()[-2000:] if srv2 else "not started"))
    integrity, _ = dump_digest(db)
    r.check(integrity == "ok", "integrity_check after kill and restart: %s" % integrity)


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-kill-")
    try:
        r.run(test_kill9_under_load_then_restart, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
