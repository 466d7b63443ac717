"""Shared set-up of the report and spreadsheet tests (test_excel_output.py,
test_report_browser.py): the bundled samples, with two names changed so the
outputs meet a formula-looking cell and HTML's special characters, scored,
with a few invitation statuses recorded.
"""
import csv
import os
import subprocess

from svc_helpers import BINARY

SRC = os.environ.get("AMB_SOURCE_DIR") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
SAMPLES = os.path.join(SRC, "samples")
# employee_id -> the name the test roster gives them (both are candidates)
NAMES = {"E0148": "=1+2 Sofie Berg", "E0048": "Maarten Sørensen & <Vestergaard>"}
STATUSES = [("E0148", "accepted"), ("E0048", "invited"), ("E0029", "invited"),
            ("E0108", "declined")]
# pilot members not invited yet (the invitation list)
PENDING = ["E0109", "E0129", "E0020", "E0130", "E0081"]


def amb(db, *args, timeout=300):
    return subprocess.run([BINARY, "--db", db] + list(args), capture_output=True, text=True,
                          timeout=timeout)


def build(tmp):
    """A scored database in tmp; returns its path."""
    roster = os.path.join(tmp, "roster.csv")
    with open(os.path.join(SAMPLES, "roster.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["name"] = NAMES.get(r["employee_id"], r["name"])
    with open(roster, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    db = os.path.join(tmp, "r.db")
    steps = [["init"], ["import", "roster", roster],
             ["import", "survey", os.path.join(SAMPLES, "survey_msforms.csv"), "--codebook",
              os.path.join(SAMPLES, "codebook.csv")],
             ["import", "activity", os.path.join(SAMPLES, "activity.csv")],
             ["score", "--as-of", "2026-11-30"], ["publish", "1"]]
    run(db, steps)
    # Invitations go to the people of an approved pilot.
    add_pilot(db, "First pilot", [(who, "test") for who, _ in STATUSES] +
              [(who, "test") for who in PENDING])
    run(db, [["invitations", "set", who, st] for who, st in STATUSES])
    return db


def run(db, steps):
    for s in steps:
        p = amb(db, "-q", *s)
        if p.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(s), p.stderr))


def add_pilot(db, name, members, approved=True):
    """Store pilot `name` of snapshot 1 with `members` [(employee_id,
    reason)] as the pilot workflow records it (the tables of core/store_pilot.h)."""
    import sqlite3
    con = sqlite3.connect(db)
    with con:
        cur = con.execute("INSERT INTO pilots(name, snapshot_id, size, created_at, created_by,"
                          " approved_at, approved_by) VALUES (?, 1, ?, 1764460800, 'test',"
                          " ?, ?)", (name, len(members), 1764547200 if approved else None,
                                     "hr:test" if approved else None))
        pilot = cur.lastrowid
        for pos, (who, reason) in enumerate(members):
            pid = con.execute("SELECT pid FROM people WHERE employee_id = ?",
                              (who,)).fetchone()[0]
            con.execute("INSERT INTO pilot_members(pilot_id, pid, position, reason)"
                        " VALUES (?, ?, ?, ?)", (pilot, pid, pos + 1, reason))
    con.close()
