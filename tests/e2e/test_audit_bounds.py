#!/usr/bin/python3
"""The audit log is bounded by design (docs/operations.md, section 'The audit
log'; test plan F7):

 1. it keeps one row per (minute, client, role, op, status) with the number
    of requests: 3,000 pings and 20 ranks add at most a few rows, and the
    counts add up to what was sent;
 2. `serve --rate-limit N --rate-burst B` refuses a client past its bucket
    with `rate_limited` and `retry_after_ms`; every request still gets its
    own reply (matched by id), the refusals are counted in the audit log,
    not logged one by one, and a request after the hint is served;
 3. another process holding the database's write lock (an import) is not a
    failure: the rows wait, merged, and every op is served; they reach the
    log when the lock goes;
 4. while the audit log cannot be written (a full disk, simulated with the
    test hook AMB_TEST_AUDIT_FAIL) only ping is answered, and ping says why;
    once it can, every op is served again and the refusals counted
    meanwhile reach the log.

Environment: AMB_BINARY (required). Prints 'N passed, N failed'.
"""
import json
import os
import shutil
import signal
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import (Results, Server, db_count, dealer, make_db, matched_reply,  # noqa: E402
                         request, run)

N = 30


def send_all(sock, reqs, window=12, timeout_s=60):
    """Send requests (dicts with unique ids) keeping `window` in flight
    (under the server's 16 a client); returns {id: reply}. Replies are
    matched by id, in any order."""
    replies, pending, i = {}, set(), 0
    deadline = time.monotonic() + timeout_s
    while (i < len(reqs) or pending) and time.monotonic() < deadline:
        while i < len(reqs) and len(pending) < window:
            sock.send(json.dumps(reqs[i]).encode())
            pending.add(reqs[i]["id"])
            i += 1
        if sock.poll(1000) & 1:
            try:
                rep = json.loads(sock.recv_multipart()[-1])
            except ValueError:
                continue
            rid = rep.get("id") if isinstance(rep, dict) else None
            if rid in pending:
                pending.discard(rid)
                replies[rid] = rep
    return replies


def audit_sum(db, where="1", args=()):
    return db_count(db, "SELECT coalesce(sum(requests), 0) FROM audit_log WHERE " + where, args)


def wait_for(fn, seconds=15, step=0.1):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        v = fn()
        if v:
            return v
        time.sleep(step)
    return fn()


def test_rows_per_minute(r, tmp):
    db = os.path.join(tmp, "a.db")
    make_db(db, N)
    ep = "ipc://%s/a.sock" % tmp
    srv = Server(db, ep)
    try:
        wait_for(lambda: audit_sum(db, "op = 'ping'") > 0)
        pings0 = audit_sum(db, "op = 'ping'")
        rows0 = db_count(db, "SELECT count(*) FROM audit_log")
        sock = dealer(ep)
        reqs = [{"op": "ping", "id": i} for i in range(3000)]
        reqs += [{"op": "rank", "limit": 1 + i % 5, "id": 10000 + i} for i in range(20)]
        replies = send_all(sock, reqs)
        sock.close(0)
        r.check(len(replies) == len(reqs) and all(x.get("ok") for x in replies.values()),
                "all %d requests answered ok (%d replies)" % (len(reqs), len(replies)))
        got = wait_for(lambda: audit_sum(db, "op = 'ping'") - pings0 == 3000 and
                       audit_sum(db, "op = 'rank'") == 20)
        r.check(got, "the audit counts 3000 pings and 20 ranks (pings %d, ranks %d)" %
                (audit_sum(db, "op = 'ping'") - pings0, audit_sum(db, "op = 'rank'")))
        rows = db_count(db, "SELECT count(*) FROM audit_log") - rows0
        # ping and rank rows, in at most three minutes of the clock
        r.check(rows <= 6, "3020 requests added %d audit rows (at most 6)" % rows)
        people = db_count(db, "SELECT sum(people) FROM audit_log WHERE op = 'rank'")
        r.check(people == sum(1 + i % 5 for i in range(20)),
                "people returned are summed per row: %r" % (people,))
        out = run("audit", "--format", "json", db=db)
        rows_json = json.loads(out.stdout)["items"] if out.returncode == 0 else []
        r.check(any(x.get("op") == "ping" and int(x.get("requests", 0)) >= 1000
                    for x in rows_json),
                "`ambassador audit` shows the requests column: %s" % out.stdout[:300])
    finally:
        rc = srv.stop(signal.SIGTERM)
    r.check(rc == 0, "serve exits 0 (rc %r)" % (rc,))


def test_rate_limit(r, tmp):
    db = os.path.join(tmp, "r.db")
    make_db(db, N)
    ep = "ipc://%s/r.sock" % tmp
    srv = Server(db, ep, extra=["--rate-limit", "20", "--rate-burst", "20"])
    try:
        time.sleep(1.2)  # the readiness pings' tokens come back
        sock = dealer(ep)
        t0 = time.monotonic()
        reqs = [{"op": "ping", "id": i} for i in range(200)]
        replies = send_all(sock, reqs)
        elapsed = time.monotonic() - t0
        r.check(len(replies) == 200, "every request gets its own reply (%d of 200)" %
                len(replies))
        ok = [x for x in replies.values() if x.get("ok")]
        limited = [x for x in replies.values() if not x.get("ok")]
        r.check(all(x["error"]["code"] == "rate_limited" and x["error"]["retry_after_ms"] > 0
                    for x in limited),
                "refusals are rate_limited with retry_after_ms: %r" % (limited[:2],))
        r.check(20 <= len(ok) <= 20 + 20 * elapsed + 2,
                "%d served in %.2f s with 20 a second, bursts of 20" % (len(ok), elapsed))
        r.check(len(limited) >= 200 - (20 + 20 * elapsed + 2),
                "%d refused" % len(limited))
        hint = max((x["error"]["retry_after_ms"] for x in limited), default=0)
        time.sleep(hint / 1000.0 + 0.1)
        sock.send(json.dumps({"op": "ping", "id": "after"}).encode())
        after = matched_reply(sock, "after", 5000)
        r.check(after is not None and after.get("ok"),
                "a request after the hint (%d ms) is served: %r" % (hint, after))
        sock.close(0)
        got = wait_for(lambda: audit_sum(db, "status = 'rate_limited'") == len(limited))
        r.check(got, "the audit log counts %d refusals (has %d)" %
                (len(limited), audit_sum(db, "status = 'rate_limited'")))
    finally:
        rc = srv.stop(signal.SIGTERM)
    lines = [x for x in srv.log().splitlines() if "rate limit" in x]
    r.check(1 <= len(lines) <= 2, "refusals are logged once a minute, not one by one: %r" %
            (lines,))
    r.check(rc == 0, "serve exits 0 (rc %r)" % (rc,))
    p = run("serve", "--rate-burst", "5", db=db)
    r.check(p.returncode == 2 and "--rate-limit" in p.stderr,
            "--rate-burst without --rate-limit is a usage error: %r" % (p.stderr,))


def test_audit_busy(r, tmp):
    """An import or `score` holding the write lock is not a failure: the
    rows wait (merged per minute) and every op is served."""
    db = os.path.join(tmp, "b.db")
    make_db(db, N)
    ep = "ipc://%s/b.sock" % tmp
    srv = Server(db, ep)
    try:
        wait_for(lambda: audit_sum(db) > 0)
        before = audit_sum(db, "op = 'rank'")
        lock = sqlite3.connect(db, timeout=10, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        try:
            served = 0
            t0 = time.monotonic()
            while time.monotonic() - t0 < 2.0:  # past the loader's 250 ms wait, many times
                rep = request(ep, {"op": "rank", "limit": 1 + served % 7}, timeout=5000)
                served += bool(rep and rep.get("ok"))
                time.sleep(0.05)
            asked = int((time.monotonic() - t0) / 0.05)
            r.check(served >= asked // 2 and served > 5,
                    "ranks are served while the database is busy (%d)" % served)
            ping = request(ep, {"op": "ping"})
            r.check(ping and ping.get("ok") and "audit" not in ping,
                    "ping does not call a busy database a failure: %r" % (ping,))
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        got = wait_for(lambda: audit_sum(db, "op = 'rank'") - before == served)
        r.check(got, "the %d ranks made while it was busy reach the audit log (%d)" %
                (served, audit_sum(db, "op = 'rank'") - before))
    finally:
        rc = srv.stop(signal.SIGTERM)
    log = srv.log()
    r.check("rows held until it is free" in log and "cannot be written" not in log,
            "one line says the rows wait; no failure: %s" % log[-600:])
    r.check(rc == 0, "serve exits 0 (rc %r)" % (rc,))


def test_audit_unwritable(r, tmp):
    """The audit log cannot be written (a full disk, simulated by the test
    hook AMB_TEST_AUDIT_FAIL): only ping is answered until it can."""
    db = os.path.join(tmp, "u.db")
    make_db(db, N)
    ep = "ipc://%s/u.sock" % tmp
    flag = os.path.join(tmp, "audit-full")
    srv = Server(db, ep, env=dict(os.environ, AMB_TEST_AUDIT_FAIL=flag))
    try:
        first = request(ep, {"op": "rank", "limit": 3})
        r.check(first is not None and first.get("ok"), "rank served: %r" % (first,))
        open(flag, "w").close()
        request(ep, {"op": "rank", "limit": 2})  # a row for the next write to fail on

        def failing():
            p = request(ep, {"op": "ping"}, timeout=3000)
            return p if p and "audit" in p else None
        ping = wait_for(failing, seconds=20, step=0.2)
        r.check(ping is not None and ping.get("ok") and "failing" in ping.get("audit", ""),
                "ping answers and says the audit log is failing: %r" % (ping,))
        refused = 0
        for req in ({"op": "rank", "limit": 4}, {"op": "candidates", "size": 3},
                    {"op": "explain", "employee_id": "EMP00001"}, {"op": "invitations"},
                    {"op": "invitation_status", "employee_id": "EMP00002",
                     "status": "invited"}):
            rep = request(ep, req, timeout=5000)
            ok = (rep is not None and not rep.get("ok") and
                  rep["error"]["code"] == "unavailable" and
                  "audit log" in rep["error"]["message"])
            refused += ok
            r.check(ok, "%s is refused while the audit log cannot be written: %r" %
                    (req["op"], rep))
        status = db_count(db, "SELECT count(*) FROM invitations")
        r.check(status == 0, "the refused status change was not recorded (%d)" % status)
        os.unlink(flag)

        def served():
            p = request(ep, {"op": "rank", "limit": 4}, timeout=3000)
            return p if p and p.get("ok") else None
        again = wait_for(served, seconds=20, step=0.2)
        r.check(again is not None, "rank is served again once the audit log can be written")
        got = wait_for(lambda: audit_sum(db, "status = 'unavailable'") >= refused > 0)
        r.check(got, "the %d refusals made meanwhile reach the audit log (has %d)" %
                (refused, audit_sum(db, "status = 'unavailable'")))
    finally:
        rc = srv.stop(signal.SIGTERM)
    log = srv.log()
    r.check(log.count("audit log cannot be written") == 1 and "written again" in log,
            "one line when the audit log fails, one when it recovers: %s" % log[-600:])
    r.check(rc == 0, "serve exits 0 (rc %r)" % (rc,))


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-audit-")
    try:
        r.run(test_rows_per_minute, tmp)
        r.run(test_rate_limit, tmp)
        r.run(test_audit_busy, tmp)
        r.run(test_audit_unwritable, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
