#!/usr/bin/python3
"""`ambassador export ID` (docs/intranet.md, section 'The service': erasure and
access): everything stored about one person, and nothing about anyone else.

On the bundled samples (roster, survey, activity, a score, an invitation):
the export is JSON; each part has as many rows as the database holds for
that person; no other employee's id, name or e-mail appears in it; every
table that erasure clears (store_purge_person_data in core/store_roster.c) has its
part in the export; an unknown id, and the person after `erase`, give one
'no such person' line; `--read-only` can export.
Environment: AMB_BINARY (required), AMB_SOURCE_DIR. Prints 'N passed, N failed'.
"""
import csv
import json
import os
import re
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
WHO = "E0101"
# table cleared by erasure -> its part of the export
PARTS = {"survey_responses": "survey_response", "survey_answers": "survey_answers",
         "survey_scores": "survey_scores", "activity_weekly": "activity_weekly",
         "activity_features": "activity_features", "snapshot_scores": "scores",
         "invitations": "invitation", "invitation_history": "invitation_history",
         "pilot_members": "pilots", "pilot_log": "pilot_decisions",
         "outcomes": "outcomes",
         # the facts part of each score's detail, stored once: exported inside "scores"
         "score_facts": "scores"}


def amb(db, *args):
    return subprocess.run([BINARY, "--db", db] + list(args), capture_output=True, text=True,
                          timeout=120)


def setup(db):
    steps = [["init"], ["import", "roster", os.path.join(SAMPLES, "roster.csv")],
             ["import", "survey", os.path.join(SAMPLES, "survey_msforms.csv"), "--codebook",
              os.path.join(SAMPLES, "codebook.csv")],
             ["import", "activity", os.path.join(SAMPLES, "activity.csv")], ["score"],
             ["weights", "set", "w_volume=0.3", "--note", "test"], ["score"],
             ["pilot", "propose", "--size", "3", "--name", "export pilot"],
             ["pilot", "add", WHO, "--reason", "asked to join"], ["pilot", "approve"],
             ["invitations", "set", WHO, "invited"]]
    for s in steps:
        p = amb(db, "-q", *s)
        if p.returncode != 0:
            raise RuntimeError("%s: %s" % (" ".join(s), p.stderr))


def test_export(r, tmp):
    db = os.path.join(tmp, "x.db")
    setup(db)
    p = amb(db, "export", WHO)
    r.check(p.returncode == 0, "export exits 0: %s" % p.stderr)
    doc = json.loads(p.stdout)
    with open(os.path.join(SAMPLES, "roster.csv"), newline="", encoding="utf-8-sig") as f:
        roster = list(csv.DictReader(f))
    me = [x for x in roster if x["employee_id"] == WHO][0]
    r.check(doc["person"]["email"] == me["email"] and doc["person"]["name"] == me["name"],
            "the roster entry is exported: %r" % (doc["person"],))
    con = sqlite3.connect(db)
    pid = con.execute("SELECT pid FROM people WHERE employee_id = ?", (WHO,)).fetchone()[0]
    counts = {
        "survey_answers": con.execute("SELECT count(*) FROM survey_answers WHERE pid = ?",
                                      (pid,)).fetchone()[0],
        "survey_scores": con.execute("SELECT count(*) FROM survey_scores WHERE pid = ?",
                                     (pid,)).fetchone()[0],
        "activity_weekly": con.execute("SELECT count(*) FROM activity_weekly WHERE pid = ?",
                                       (pid,)).fetchone()[0],
        "scores": con.execute("SELECT count(*) FROM snapshot_scores WHERE pid = ?",
                              (pid,)).fetchone()[0],
        "invitation_history": con.execute(
            "SELECT count(*) FROM invitation_history WHERE pid = ?", (pid,)).fetchone()[0],
        "pilots": con.execute("SELECT count(*) FROM pilot_members WHERE pid = ?",
                              (pid,)).fetchone()[0],
        "pilot_decisions": con.execute("SELECT count(*) FROM pilot_log WHERE pid = ?",
                                       (pid,)).fetchone()[0],
    }
    purge_src = open(os.path.join(SRC, "core", "store_roster.c"), encoding="utf-8").read()
    con.close()
    for key, n in counts.items():
        r.check(len(doc[key]) == n, "%s: %d exported, %d stored" % (key, len(doc[key]), n))
    r.check(counts["survey_answers"] > 0 and counts["activity_weekly"] > 0 and
            counts["scores"] == 2, "the sample person has answers, activity and two scores")
    r.check(doc["invitation"]["status"] == "invited", "invitation: %r" % (doc["invitation"],))
    r.check(counts["pilots"] == 1 and doc["pilot_decisions"][0]["reason"] == "asked to join",
            "the pilot membership and the decision about them are exported")
    r.check(all("params" in s and isinstance(s["detail"], dict) for s in doc["scores"]),
            "each score carries its detail and the weights used")
    r.check(all("platforms" in s["detail"] and "weeks_active" in s["detail"]["facts"] and
                "weighted_volume" in s["detail"]["facts"] for s in doc["scores"]),
            "each detail is whole: its stored facts (platforms, activity) joined in")
    # Nothing about anyone else.
    others = [x for x in roster if x["employee_id"] != WHO]
    leaks = [x["employee_id"] for x in others
             if '"%s"' % x["employee_id"] in p.stdout or
             (x["email"] and x["email"] in p.stdout) or (x["name"] and x["name"] in p.stdout)]
    r.check(not leaks, "no other employee appears in the export: %r" % leaks[:5])
    # Every table erasure clears has its part.
    body = purge_src[purge_src.index("int store_purge_person_data"):]
    body = body[:body.index("\n}\n")]
    tables = set(re.findall(r"DELETE FROM (\w+)", body))
    r.check(tables, "found the purge list in core/store_roster.c")
    missing = [t for t in tables if PARTS.get(t) not in doc]
    r.check(not missing, "tables erasure clears but export leaves out: %r" % missing)
    # Read-only works; unknown ids and erased people are refused cleanly.
    p = subprocess.run([BINARY, "--read-only", "--db", db, "export", WHO], capture_output=True,
                       text=True, timeout=60)
    r.check(p.returncode == 0 and json.loads(p.stdout)["employee_id"] == WHO,
            "--read-only export: %s" % p.stderr)
    p = amb(db, "export", "E9999")
    r.check(p.returncode == 1 and "no such person" in p.stderr and not p.stdout,
            "unknown id: rc %d %r" % (p.returncode, p.stderr))
    con = sqlite3.connect(db)
    mine = "SELECT count(*) FROM %s WHERE pid = ?"
    r.check(con.execute(mine % "score_facts", (pid,)).fetchone()[0] > 0,
            "the person has stored facts before erasure")
    others = con.execute("SELECT count(*) FROM score_facts WHERE pid <> ?", (pid,)).fetchone()[0]
    con.close()
    p = amb(db, "-q", "erase", WHO)
    r.check(p.returncode == 0, "erase: %s" % p.stderr)
    con = sqlite3.connect(db)
    r.check(con.execute(mine % "score_facts", (pid,)).fetchone()[0] == 0 and
            con.execute(mine % "snapshot_scores", (pid,)).fetchone()[0] == 0,
            "erasure removed their scores and stored facts")
    r.check(con.execute("SELECT count(*) FROM score_facts").fetchone()[0] == others,
            "and nobody else's")
    con.close()
    p = amb(db, "export", WHO)
    r.check(p.returncode == 1 and "no such person" in p.stderr and not p.stdout,
            "after erasure: rc %d %r" % (p.returncode, p.stderr))


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-export-")
    try:
        r.run(test_export, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
