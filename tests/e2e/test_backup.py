#!/usr/bin/python3
"""`ambassador backup FILE` while `serve` runs, and a restore.

 1. With the server answering and a writer adding whole score snapshots
    (each in one transaction, as `score` does) beside it, three backups are
    taken: each passes integrity_check, has mode 0600, leaves no temporary
    file, and holds only complete snapshots (a copy that was not taken from
    one read transaction would hold a part of one).
 2. Restore as docs/operations.md says (stop the service, remove the -wal
    and -shm files, copy the backup over the database): a server on the
    restored file answers `rank` with the same list as the original did
    when the backup was taken.
 3. An existing FILE is refused with one line and left unchanged; --force
    replaces it; a FILE in a missing directory fails cleanly and leaves
    nothing; no FILE is a usage error (exit 2).
Environment: AMB_BINARY (required), AMB_SOURCE_DIR. Prints 'N passed, N failed'.
"""
import os
import shutil
import sqlite3
import stat
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import (Results, Server, add_snapshot, dealer, dealer_request,  # noqa: E402
                         free_port, make_db, run)

N = 60


def rank_ids(endpoint):
    s = dealer(endpoint)
    try:
        rep = dealer_request(s, {"op": "rank", "limit": 20}, timeout=10000)
    finally:
        s.close(0)
    if not rep or not rep.get("ok", True) or "items" not in rep:
        return None
    return [i["employee_id"] for i in rep["items"]]


def snapshots_complete(path):
    db = sqlite3.connect(path)
    try:
        bad = db.execute(
            "SELECT s.id FROM snapshots s LEFT JOIN snapshot_scores r ON r.snapshot_id = s.id "
            "GROUP BY s.id HAVING count(r.snapshot_id) != ?", (N - 1,)).fetchall()
        n = db.execute("SELECT count(*) FROM snapshots").fetchone()[0]
        ok = db.execute("PRAGMA integrity_check").fetchone()[0]
        return n, bad, ok
    finally:
        db.close()


def no_leftovers(d, names):
    return sorted(os.listdir(d)) == sorted(names)


def backup_while_serving(r, tmp):
    db = os.path.join(tmp, "live.db")
    bdir = os.path.join(tmp, "backups")
    os.mkdir(bdir)
    make_db(db, n=N)
    ep = "tcp://127.0.0.1:%d" % free_port()
    srv = Server(db, ep)
    try:
        before = rank_ids(ep)
        r.check(before is not None and len(before) == 20, "rank from the live server")
        p = run("backup", os.path.join(bdir, "b0.db"), db=db)
        r.check(p.returncode == 0, "backup while serving: %s" % p.stderr)
        stop = threading.Event()
        errors = []

        def writer():
            sid = 2
            while not stop.is_set() and sid < 400:
                try:
                    add_snapshot(db, sid, N, reverse=sid % 2 == 0)
                except sqlite3.Error as e:  # busy is retried by the next round
                    errors.append(str(e))
                sid += 1

        counts = []
        t = threading.Thread(target=writer)
        t.start()
        try:
            for k in (1, 2, 3):
                out = os.path.join(bdir, "b%d.db" % k)
                p = run("backup", out, db=db)
                r.check(p.returncode == 0, "backup %d beside a writer: %s" % (k, p.stderr))
                if p.returncode:
                    continue
                n, bad, ok = snapshots_complete(out)
                counts.append(n)
                r.check(ok == "ok", "backup %d integrity_check: %s" % (k, ok))
                r.check(not bad, "backup %d holds partial snapshots %s" % (k, bad))
                r.check(stat.S_IMODE(os.stat(out).st_mode) == 0o600,
                        "backup %d is private (0600)" % k)
        finally:
            stop.set()
            t.join(60)
        r.check(counts and max(counts) > 1, "the writer ran during the backups: %s" % counts)
        r.check(not errors or len(errors) < 5, "writer errors: %s" % errors[:3])
        r.check(no_leftovers(bdir, ["b0.db", "b1.db", "b2.db", "b3.db"]),
                "only the backups in the directory: %s" % os.listdir(bdir))
    finally:
        r.check(srv.stop() == 0, "server exits 0 on SIGTERM")

    # Restore b0 over the live database, as docs/operations.md says.
    for side in ("-wal", "-shm"):
        if os.path.exists(db + side):
            os.unlink(db + side)
    shutil.copyfile(os.path.join(bdir, "b0.db"), db)
    ep = "tcp://127.0.0.1:%d" % free_port()
    srv = Server(db, ep)
    try:
        after = rank_ids(ep)
        r.check(after == before, "restored server ranks as the original did: %s vs %s"
                % (after, before))
    finally:
        r.check(srv.stop() == 0, "restored server exits 0")
    p = run("status", db=db)
    r.check(p.returncode == 0 and "%d people" % N in p.stdout, "status on the restored file")


def refusals(r, tmp):
    db = os.path.join(tmp, "r.db")
    make_db(db, n=N)
    out = os.path.join(tmp, "exists.db")
    with open(out, "w") as f:
        f.write("keep me")
    p = run("backup", out, db=db)
    lines = [x for x in p.stderr.splitlines() if x.startswith("ambassador: ")]
    r.check(p.returncode == 1 and len(lines) == 1 and "exists" in lines[0],
            "existing FILE refused with one line: %r" % p.stderr)
    r.check(open(out).read() == "keep me", "existing FILE unchanged")
    p = run("backup", out, "--force", db=db)
    r.check(p.returncode == 0, "--force replaces: %s" % p.stderr)
    n, bad, ok = snapshots_complete(out)
    r.check(ok == "ok" and n == 1 and not bad, "replaced FILE is the database")
    p = run("backup", os.path.join(tmp, "missing", "x.db"), db=db)
    r.check(p.returncode == 1 and "missing" in p.stderr and
            not os.path.exists(os.path.join(tmp, "missing")), "missing directory: %r" % p.stderr)
    p = run("backup", db=db)
    r.check(p.returncode == 2 and "usage" in p.stderr, "no FILE is a usage error")
    p = run("backup", os.path.join(tmp, "y.db"), db=os.path.join(tmp, "none.db"))
    r.check(p.returncode == 1 and "no database" in p.stderr and
            not os.path.exists(os.path.join(tmp, "y.db")), "no database: %r" % p.stderr)


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-backup-")
    try:
        r.run(backup_while_serving, tmp)
        r.run(refusals, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


main()
