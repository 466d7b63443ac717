#!/usr/bin/python3
"""Test plan B4 end to end: an event log with repeated lines scores exactly
as the same log without them. The samples' activity with every event line
written twice (and the overlapping second export on top) gives the same
weekly cells, the same snapshot and the same ranking as the plain file.
Environment: AMB_BINARY (required), AMB_SOURCE_DIR. Prints 'N passed, N failed'.
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import BINARY, Results  # noqa: E402

SRC = os.environ.get("AMB_SOURCE_DIR") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
SAMPLES = os.path.join(SRC, "samples")
NOW = "2026-11-20T12:00:00Z"


def amb(db, *args):
    env = dict(os.environ, AMBASSADOR_NOW=NOW)
    p = subprocess.run([BINARY, "--db", db] + list(args), capture_output=True, text=True,
                       timeout=120, env=env)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), p.stderr))
    return p.stdout


def build(db, activity_files):
    amb(db, "-q", "init")
    amb(db, "-q", "import", "roster", os.path.join(SAMPLES, "roster.csv"))
    amb(db, "-q", "import", "survey", os.path.join(SAMPLES, "survey_msforms.csv"),
        "--codebook", os.path.join(SAMPLES, "codebook.csv"))
    for f in activity_files:
        amb(db, "-q", "import", "activity", f)
    amb(db, "-q", "score")
    return amb(db, "rank", "--format", "json", "--limit", "1000")


def table(db, sql):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_repeated_lines(r, tmp):
    plain = os.path.join(SAMPLES, "activity.csv")
    with open(plain, encoding="utf-8") as f:
        lines = f.read().splitlines()
    twice = os.path.join(tmp, "twice.csv")
    with open(twice, "w", encoding="utf-8") as f:
        f.write(lines[0] + "\n")
        for line in lines[1:]:
            f.write(line + "\n" + line + "\n")
    rank_a = build(os.path.join(tmp, "a.db"), [plain])
    rank_b = build(os.path.join(tmp, "b.db"), [twice, os.path.join(SAMPLES,
                                                                    "activity_overlap.csv")])
    rank_c = build(os.path.join(tmp, "c.db"), [plain, os.path.join(SAMPLES,
                                                                   "activity_overlap.csv")])
    r.check(len(rank_a) > 100 and '"rank"' in rank_a, "a ranking came out: %r" % rank_a[:200])
    cells = "SELECT cell, events, reach, reactions, comments, shares, clicks FROM activity_weekly"
    r.check(table(os.path.join(tmp, "b.db"), cells) == table(os.path.join(tmp, "c.db"), cells),
            "repeated lines add no weekly cell or count")
    r.check(rank_b == rank_c, "the ranking with repeated lines equals the one without")
    scores = "SELECT pid, rank, score, activity FROM snapshot_scores ORDER BY pid"
    r.check(table(os.path.join(tmp, "b.db"), scores) == table(os.path.join(tmp, "c.db"), scores),
            "every score is the same")
    r.check(len(lines) > 100, "the sample has events")


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-dedup-")
    try:
        r.run(test_repeated_lines, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
