#!/usr/bin/python3
"""`ambassador retention --days N` (docs/intranet.md, section 'Retention'): with the
clock injected (AMBASSADOR_NOW), expired rows go and the counts match the
policy computed here from the database; the newest snapshot always stays;
the run is logged; --dry-run changes nothing; a later re-import of the old
export does not bring purged activity back.
Environment: AMB_BINARY (required), AMB_SOURCE_DIR. Prints 'N passed, N failed'.
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import calendar
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import BINARY, Results, dump_digest  # noqa: E402

SRC = os.environ.get("AMB_SOURCE_DIR") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
SAMPLES = os.path.join(SRC, "samples")
WEEK0 = 946857600  # Monday 2000-01-03


def ts(s):
    return calendar.timegm(time.strptime(s, "%Y-%m-%dT%H:%M:%SZ"))


def amb(db, now, *args):
    env = dict(os.environ, AMBASSADOR_NOW=now)
    return subprocess.run([BINARY, "--db", db] + list(args), capture_output=True, text=True,
                          timeout=120, env=env)


def q(db, sql, args=()):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchone()[0]
    finally:
        con.close()


def test_retention(r, tmp):
    db = os.path.join(tmp, "r.db")
    t0 = "2026-11-01T12:00:00Z"
    for args in (["init"], ["import", "roster", os.path.join(SAMPLES, "roster.csv")],
                 ["import", "survey", os.path.join(SAMPLES, "survey_msforms.csv"),
                  "--codebook", os.path.join(SAMPLES, "codebook.csv")],
                 ["import", "activity", os.path.join(SAMPLES, "activity.csv")], ["score"]):
        p = amb(db, t0, "-q", *args)
        assert p.returncode == 0, p.stderr
    p = amb(db, "2026-12-20T12:00:00Z", "-q", "score")
    r.check(p.returncode == 0, "second score: %s" % p.stderr)
    con = sqlite3.connect(db)
    with con:
        for i, at in enumerate(("2026-10-01T00:00:00Z", "2026-12-30T00:00:00Z")):
            con.execute("INSERT INTO audit_log(at, client, role, op, people, status)"
                        " VALUES(?, 'test', 'hr', 'rank', 1, 'ok')", (ts(at),))
    con.close()
    now = "2027-01-31T12:00:00Z"
    days = 60
    recent = os.path.join(tmp, "recent.csv")
    with open(recent, "w") as f:
        f.write("employee_id,occurred_at,platform,kind,origin,post_id\n"
                "E0101,2027-01-20T10:00:00Z,linkedin,post,,li:recent1\n"
                "E0102,2027-01-21T10:00:00Z,linkedin,comment,,li:recent2\n")
    p = amb(db, now, "-q", "import", "activity", recent)
    r.check(p.returncode == 0, "recent activity: %s" % p.stderr)
    cutoff = ts(now) - days * 86400
    cut_week = (cutoff - WEEK0) // 604800
    want = {
        "snapshots": q(db, "SELECT count(*) FROM snapshots WHERE computed_at < ? AND id <>"
                           " (SELECT max(id) FROM snapshots)", (cutoff,)),
        "audit": q(db, "SELECT count(*) FROM audit_log WHERE at < ?", (cutoff,)),
        "cells": q(db, "SELECT count(*) FROM activity_weekly WHERE week < ?", (cut_week,)),
    }
    r.check(want["snapshots"] == 1 and want["audit"] == 1 and want["cells"] > 0,
            "the data has something of each kind to expire: %r" % want)
    cells_before = q(db, "SELECT count(*) FROM activity_weekly")
    # The two snapshots scored different weeks: each has facts of its own.
    facts_only_old = ("SELECT count(*) FROM score_facts WHERE id NOT IN"
                      " (SELECT facts_id FROM snapshot_scores WHERE snapshot_id = 2)")
    r.check(q(db, facts_only_old) > 0, "the old snapshot has facts no other row uses")
    _, before = dump_digest(db)
    p = amb(db, now, "retention", "--days", str(days), "--dry-run", "--force")
    r.check(p.returncode == 0 and "would remove" in p.stdout and
            "1 snapshots" in p.stdout and "%d weekly activity cells" % want["cells"] in p.stdout,
            "dry run reports the counts: %r %r" % (p.stdout, p.stderr))
    _, after_dry = dump_digest(db)
    r.check(after_dry == before, "--dry-run changed the database")
    p = amb(db, now, "-v", "retention", "--days", str(days), "--force")
    r.check(p.returncode == 0, "retention: %s" % p.stderr)
    r.check("retention: kept 60 days" in p.stderr and
            "%d weekly activity cells" % want["cells"] in p.stderr,
            "the run is logged with its counts: %r" % p.stderr)
    r.check(q(db, "SELECT count(*) FROM snapshots") == 1 and
            q(db, "SELECT max(id) FROM snapshots") == 2, "only the newest snapshot is left")
    r.check(q(db, "SELECT count(*) FROM snapshot_scores WHERE snapshot_id = 1") == 0,
            "the removed snapshot's scores are gone")
    r.check(q(db, facts_only_old) == 0 and q(db, "SELECT count(*) FROM score_facts") ==
            q(db, "SELECT count(DISTINCT facts_id) FROM snapshot_scores"),
            "its stored facts went with them; the kept snapshot's stay")
    r.check(q(db, "SELECT count(*) FROM audit_log WHERE at < ?", (cutoff,)) == 0 and
            q(db, "SELECT count(*) FROM audit_log") >= 1, "old audit entries gone, new kept")
    r.check(q(db, "SELECT count(*) FROM activity_weekly WHERE week < ?", (cut_week,)) == 0,
            "expired weekly cells gone")
    r.check(q(db, "SELECT count(*) FROM activity_weekly") == cells_before - want["cells"] and
            cells_before - want["cells"] == 2, "only expired cells went (the 2 recent stay)")
    r.check(q(db, "SELECT count(*) FROM activity_seen_chunks WHERE chunk < ? << 8",
              (cut_week,)) == 0, "their de-duplication keys went too")
    r.check(q(db, "PRAGMA integrity_check") == "ok", "integrity_check")
    # The old export again: the purged weeks are skipped, nothing comes back.
    p = amb(db, now, "import", "activity", os.path.join(SAMPLES, "activity_overlap.csv"))
    r.check(p.returncode == 0, "re-import: %s" % p.stderr)
    r.check("older than the retention period" in p.stdout + p.stderr,
            "old events are skipped and counted as such: %r" % (p.stdout + p.stderr))
    r.check(q(db, "SELECT count(*) FROM activity_weekly WHERE week < ?", (cut_week,)) == 0,
            "a re-import after retention does not bring old weeks back")
    p = amb(db, now, "retention", "--days", "0")
    r.check(p.returncode == 2, "--days 0 is a usage error")


def test_audit_days(r, tmp):
    """retention --audit-days N: the audit log's own period, with or
    without --days (test plan J13)."""
    db = os.path.join(tmp, "a.db")
    now = "2027-01-31T12:00:00Z"
    p = amb(db, now, "-q", "init")
    r.check(p.returncode == 0, "init: %s" % p.stderr)
    con = sqlite3.connect(db)
    with con:
        for days_ago in (40, 20, 1):
            con.execute("INSERT INTO audit_log(at, client, role, op, people, status)"
                        " VALUES(?, 'test', 'hr', 'rank', 1, 'ok')",
                        (ts(now) - days_ago * 86400,))
    con.close()
    p = amb(db, now, "retention", "--audit-days", "30", "--dry-run")
    r.check(p.returncode == 0 and "would remove audit entries before 2027-01-01: 1" in p.stdout,
            "J13 --audit-days dry run: %r %r" % (p.stdout, p.stderr))
    r.check(q(db, "SELECT count(*) FROM audit_log") == 3, "J13 dry run removed nothing")
    p = amb(db, now, "retention", "--audit-days", "30")
    r.check(p.returncode == 0 and q(db, "SELECT count(*) FROM audit_log") == 2 and
            q(db, "SELECT value FROM meta WHERE key = 'audit_retention_days'") == "30" and
            q(db, "SELECT count(*) FROM meta WHERE key = 'retention_days'") == 0,
            "J13 --audit-days 30 alone: the 40-day-old entry went, no data policy recorded: %s"
            % p.stderr)
    p = amb(db, now, "retention", "--days", "365", "--audit-days", "10")
    r.check(p.returncode == 0 and q(db, "SELECT count(*) FROM audit_log") == 1,
            "J13 --audit-days 10 with --days 365: the audit log keeps 10 days: %s" % p.stderr)
    p = amb(db, now, "retention", "--audit-days", "0")
    r.check(p.returncode == 2, "J13 --audit-days 0 is a usage error")


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-retention-")
    try:
        r.run(test_retention, tmp)
        r.run(test_audit_days, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
