#!/usr/bin/python3
"""`rank --limit N` reads only the rows it shows, through the rank index
(docs/analyst.md, section 'Reading a ranking'; its speed at a million
people is measured by bench/rank_top.py). This checks that the short path lists
exactly whom the full ranking lists: the same people in the same order,
leaving out whoever departed, opted out or declined since the snapshot, with
--department and --level (ignoring case), for limits 1, 7, 20 and 0
(everyone). The expected lists are computed here from the database with SQL
of this test's own.
Environment: AMB_BINARY (required). Prints 'N passed, N failed'.
"""
import json
import os
import shutil
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import Results, make_db, person_id, run  # noqa: E402

N = 80


def expected(db, limit, dept=None, level=None):
    con = sqlite3.connect(db)
    now = int(time.time())
    rows = con.execute(
        "SELECT p.employee_id, p.department, p.level, ss.rank FROM snapshot_scores ss"
        " JOIN people p ON p.pid = ss.pid LEFT JOIN invitations i ON i.pid = ss.pid"
        " WHERE ss.snapshot_id = 1 AND ss.eligible = 1").fetchall()
    out = []
    for eid, d, lv, rank in sorted(rows, key=lambda x: x[3]):
        pid = int(eid[3:])
        departed = con.execute("SELECT departed_at FROM people WHERE pid = ?",
                               (pid,)).fetchone()[0]
        consent = con.execute("SELECT consent FROM people WHERE pid = ?", (pid,)).fetchone()[0]
        inv = con.execute("SELECT status, updated_at FROM invitations WHERE pid = ?",
                          (pid,)).fetchone()
        if departed is not None or consent == "no":
            continue
        if inv and inv[0] == "declined" and inv[1] >= now - 365 * 86400:
            continue
        if dept and d.lower() != dept.lower():
            continue
        if level and lv.lower() != level.lower():
            continue
        out.append((eid, rank))
    con.close()
    return out[:limit] if limit else out


def test_short_path_lists_the_same(r, tmp):
    db = os.path.join(tmp, "t.db")
    make_db(db, N, pilot=False)
    con = sqlite3.connect(db)
    with con:
        now = int(time.time())
        con.execute("UPDATE people SET departed_at = ? WHERE pid IN (1, 9)", (now,))
        con.execute("UPDATE people SET consent = 'no' WHERE pid IN (2, 15)")
        con.execute("INSERT INTO invitations VALUES(3, 'declined', ?, 'test')", (now,))
        con.execute("INSERT INTO invitations VALUES(4, 'accepted', ?, 'test')", (now,))
    con.close()
    cases = [(1, None, None), (7, None, None), (20, None, None), (0, None, None),
             (5, "sales", None), (3, None, "MANAGER"), (0, "It", "employee"),
             (4, "no such department", None)]
    for limit, dept, level in cases:
        args = ["rank", "--limit", str(limit), "--format", "json"]
        if dept:
            args += ["--department", dept]
        if level:
            args += ["--level", level]
        p = run(*args, db=db)
        got = []
        if p.returncode == 0:
            got = [(x["employee_id"], x["rank"]) for x in json.loads(p.stdout)["items"]]
        want = expected(db, limit, dept, level)
        r.check(p.returncode == 0 and got == want,
                "rank --limit %d dept=%r level=%r lists %r, expected %r (%s)" %
                (limit, dept, level, got[:8], want[:8], p.stderr.strip()))
    r.check(len(expected(db, 0)) > 20 and person_id(3) not in [e for e, _ in expected(db, 0)],
            "the fixture has departures, opt-outs and a decline to leave out")
    p = run("rank", "--limit", "3", db=db)
    r.check(p.returncode == 0 and "eligible of %d scored" % N in p.stdout,
            "the table's first line counts the snapshot: %r" % p.stdout[:120])


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-top-")
    try:
        r.run(test_short_path_lists_the_same, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
