#!/usr/bin/python3
"""Outcomes of a pilot: `import outcomes FILE` follows the rules of every
import (atomic, file:line:col errors, --skip-invalid with a rejects file,
duplicates change nothing, one scale per file), `outcomes` derives accepted,
declined and active / not active / pending from invitations and the weekly
activity (weeks counted independently here from the samples' CSV), lists
ratings with counts; erasure removes a person's ratings and the access
export shows them. Posts whose engagement was not reported are left out of
response instead of counting as zero.
Environment: AMB_BINARY (required), AMB_SOURCE_DIR. Prints 'N passed, N failed'.
"""
import csv
import datetime
import json
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
NOW = "2026-11-20T00:00:00Z"
WEEK0 = datetime.datetime(2000, 1, 3, tzinfo=datetime.timezone.utc)


def run(db, *args, now=NOW):
    env = dict(os.environ, AMBASSADOR_NOW=now)
    return subprocess.run([BINARY, "--db", db] + list(args), capture_output=True, text=True,
                          timeout=120, env=env)


def amb(db, *args, now=NOW):
    p = run(db, *args, now=now)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), p.stderr))
    return p.stdout


def week(ts):
    t = datetime.datetime.fromisoformat(ts.replace("Z", "+00:00"))
    return (t - WEEK0).days // 7


def active_weeks_from_csv(path):
    """Weeks with own posts or comments per employee, from the raw events."""
    weeks = {}
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kind"] in ("post", "article", "video", "comment") and \
                    row["origin"] in ("", "original"):
                weeks.setdefault(row["employee_id"], set()).add(week(row["occurred_at"]))
    return weeks


def approved_pilot(db, ids, name="learn"):
    """An approved pilot holding `ids` (eligible in the published
    snapshot): invitations are accepted only from one."""
    amb(db, "-q", "pilot", "propose", "--size", "1", "--name", name)
    for e in ids:
        p = run(db, "pilot", "add", e, "--pilot", name)
        if p.returncode != 0 and "already in pilot" not in p.stderr:
            raise RuntimeError("pilot add %s: %s" % (e, p.stderr))
    amb(db, "-q", "pilot", "approve", name)


def base(tmp, name):
    db = os.path.join(tmp, name)
    amb(db, "-q", "init")
    amb(db, "-q", "import", "roster", os.path.join(SAMPLES, "roster.csv"))
    amb(db, "-q", "import", "survey", os.path.join(SAMPLES, "survey_msforms.csv"),
        "--codebook", os.path.join(SAMPLES, "codebook.csv"))
    amb(db, "-q", "import", "activity", os.path.join(SAMPLES, "activity.csv"))
    return db


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def test_import_rules(r, tmp):
    db = base(tmp, "imp.db")
    bad = write(os.path.join(tmp, "ratings.csv"),
                "employee_id,date,outcome,note\n"
                "E0148,2026-10-01,4,\"good, steady\"\n"
                "E0048,2026-10-01,2,\n"
                "E9999,2026-10-01,3,\n"
                "E0148,2026-10-01,3,\n"
                "E0001,2026-10-01,0,\n"
                "E0002,2027-10-01,3,\n"
                "E0003,2026-10-01,x,\n"
                "E0004,10/01/2026,3,\n")
    p = run(db, "import", "outcomes", bad)
    r.check(p.returncode != 0, "a file with bad rows is refused")
    for want in ("ratings.csv:4:1: employee_id 'E9999' is not on the roster",
                 "ratings.csv:5:1: 'E0148' is rated twice for this day (first on line 2)",
                 "ratings.csv:6:3: outcome 0 does not fit this file's scale (1-5, from line 2)",
                 "ratings.csv:7:2: date '2027-10-01' is in the future",
                 "ratings.csv:8:3: outcome must be 0 or 1, or a rating 1-5, not 'x'",
                 "ratings.csv:9:2: date '10/01/2026'"):
        r.check(want in p.stderr, "error names file:line:col: %r in %r" % (want, p.stderr))
    con = sqlite3.connect(db)
    r.check(con.execute("SELECT count(*) FROM outcomes").fetchone()[0] == 0,
            "nothing stored from a refused file")
    con.close()
    p = run(db, "import", "outcomes", bad, "--skip-invalid")
    r.check(p.returncode == 0 and "8 rows read, 2 kept, 6 rejected" in p.stdout,
            "--skip-invalid keeps the good rows: %r" % p.stdout)
    rej = bad + ".rejects.csv"
    r.check(os.path.exists(rej) and open(rej, encoding="utf-8").read().count("\n") >= 7,
            "the bad rows are in the rejects file")
    p = run(db, "import", "outcomes", bad, "--skip-invalid")
    r.check(p.returncode == 0 and "already imported" in p.stdout,
            "the same file again changes nothing: %r" % p.stdout)
    # a 0/1 file; a later file replaces the same person and day
    amb(db, "-q", "import", "outcomes",
        write(os.path.join(tmp, "b.csv"), "date,employee_id,outcome\n"
              "2026-10-01,E0048,1\n2026-10-05,E0109,0\n"))
    # opted-out people are skipped and counted, never stored
    p = run(db, "import", "outcomes",
            write(os.path.join(tmp, "c.csv"), "employee_id,date,outcome\nE0013,2026-10-01,1\n"))
    r.check("skipped" in p.stdout and "opted out: 1" in p.stdout,
            "opted-out person skipped: %r" % p.stdout)
    out = json.loads(amb(db, "outcomes", "--format", "json"))
    rows = {(i["employee_id"], i["kind"], i["date"]): i for i in out["items"]}
    r.check(rows[("E0148", "rating", "2026-10-01")]["outcome"] == "4 of 5" and
            rows[("E0148", "rating", "2026-10-01")]["detail"] == "good, steady",
            "a 1-5 rating with its note")
    r.check(rows[("E0048", "rating", "2026-10-01")]["outcome"] == "1 (0/1)",
            "a later file replaced E0048's rating of the same day")
    r.check(rows[("E0109", "rating", "2026-10-05")]["outcome"] == "0 (0/1)", "a 0/1 rating")
    r.check("ratings: 3, 2 positive" in out["notice"], "counts: %r" % out["notice"])
    # the access export shows ratings; erasure removes them
    exp = json.loads(amb(db, "export", "E0148"))
    r.check(any(o.get("outcome") == 4 for o in exp.get("outcomes", [])),
            "export lists the person's ratings")
    amb(db, "-q", "erase", "E0148")
    con = sqlite3.connect(db)
    r.check(con.execute("SELECT count(*) FROM outcomes o JOIN people p USING (pid)"
                        " WHERE p.employee_id = 'E0148'").fetchone()[0] == 0 and
            con.execute("SELECT count(*) FROM outcomes").fetchone()[0] == 2,
            "erasure removed the person's ratings only")
    con.close()


def test_derived(r, tmp):
    db = base(tmp, "der.db")
    amb(db, "-q", "score")
    rank = amb(db, "rank", "--format", "csv", "--limit", "1000").splitlines()[1:]
    eligible = {line.split(",")[1] for line in rank}
    weeks = {e: w for e, w in active_weeks_from_csv(os.path.join(SAMPLES, "activity.csv")).items()
             if e in eligible}
    accept_at = "2026-06-01T10:00:00Z"
    w0 = week(accept_at)
    after = {e: len([w for w in ws if w0 < w <= w0 + 12]) for e, ws in weeks.items()}
    active = sorted(e for e, n in after.items() if n >= 6)[:2]
    quiet = sorted(e for e, n in after.items() if n < 6)[:1]
    r.check(len(active) == 2 and len(quiet) == 1, "the samples have active and quiet people")
    late = sorted(e for e in weeks if e not in active + quiet + ["E0109"])[0]
    approved_pilot(db, active + quiet + [late])
    for e in active + quiet + [late]:
        amb(db, "-q", "invitations", "set", e, "invited", now=accept_at)
    for e in active + quiet:
        amb(db, "-q", "invitations", "set", e, "accepted", now=accept_at)
    amb(db, "-q", "invitations", "set", "E0109", "declined", now=accept_at)
    amb(db, "-q", "invitations", "set", late, "accepted", now="2026-10-20T09:00:00Z")
    out = json.loads(amb(db, "outcomes", "--format", "json"))
    got = {(i["employee_id"], i["kind"]): i for i in out["items"]}
    for e in active:
        i = got[(e, "activity")]
        r.check(i["outcome"] == "active" and i["detail"].startswith("%d of 12" % after[e]),
                "%s active with %d weeks (independent count): %r" % (e, after[e], i))
    i = got[(quiet[0], "activity")]
    r.check(i["outcome"] == "not active" and i["detail"].startswith("%d of 12" % after[quiet[0]]),
            "%s not active: %r" % (quiet[0], i))
    r.check(got[("E0109", "invitation")]["outcome"] == "declined", "declined listed")
    r.check(got[(late, "activity")]["outcome"] in ("pending", "active"),
            "accepted 4 weeks ago: pending unless already active: %r" % got[(late, "activity")])
    r.check("4 accepted, 1 declined" in out["notice"], "counts: %r" % out["notice"])
    # --active-weeks moves the threshold
    top = max(after[e] for e in active)
    out = json.loads(amb(db, "outcomes", "--format", "json", "--active-weeks", "12"))
    n_active = sum(1 for i in out["items"] if i["outcome"] == "active")
    r.check(n_active == sum(1 for e in active + quiet if after[e] >= 12),
            "--active-weeks 12: %d active (max weeks %d)" % (n_active, top))
    csv_out = amb(db, "outcomes", "--active-weeks", "8", "--format", "csv")
    r.check(csv_out.startswith("employee_id,kind,date,outcome,detail\n") and
            csv_out.count("\n") == len(out["items"]) + 1, "outcomes --format csv")
    p = run(db, "weights", "evaluate", "--outcome", "active")
    r.check(p.returncode != 0 and "at least 20 are needed" in p.stderr,
            "evaluate refuses a handful of active outcomes: %r" % p.stderr)
    p = run(db, "outcomes", "--active-weeks", "13")
    r.check(p.returncode != 0 and "--active-weeks" in p.stderr, "--active-weeks over 12 refused")


def test_unknown_engagement(r, tmp):
    """Own posts without reported counts are left out of response."""
    db = os.path.join(tmp, "unk.db")
    amb(db, "-q", "init")
    people = ["U%02d" % i for i in range(12)]
    write(os.path.join(tmp, "roster.csv"), "employee_id,department\n" +
          "".join("%s,D\n" % e for e in people))
    amb(db, "-q", "import", "roster", os.path.join(tmp, "roster.csv"))
    lines = ["employee_id,occurred_at,platform,kind,origin,post_id,reach,reactions,comments,"
             "shares,clicks"]
    for i, e in enumerate(people):
        for k in range(8):
            day = "2026-%02d-%02dT09:00:00Z" % (9 + k // 4, 1 + 7 * (k % 4))
            if e == "U00":  # an archive without counts
                lines.append("%s,%s,linkedin,post,,a%d,,,,," % (e, day, k))
            elif e == "U01":  # counts reported as zero
                lines.append("%s,%s,linkedin,post,,z%d,,0,0,0," % (e, day, k))
            else:
                lines.append("%s,%s,linkedin,post,,p%d_%d,,%d,1,0," % (e, day, i, k, 3 + i))
    write(os.path.join(tmp, "act.csv"), "\n".join(lines) + "\n")
    amb(db, "-q", "import", "activity", os.path.join(tmp, "act.csv"))
    con = sqlite3.connect(db)
    r.check(con.execute("SELECT sum(unrated) FROM activity_weekly").fetchone()[0] == 8,
            "the 8 posts without counts are stored as engagement unknown")
    con.close()
    amb(db, "-q", "score")
    con = sqlite3.connect(db)
    d = {e: json.loads(t) for e, t in con.execute(
        "SELECT p.employee_id, s.detail FROM snapshot_details s JOIN people p USING (pid)")}
    con.close()
    r.check(d["U00"]["activity"]["response"] is None and d["U00"]["facts"]["own"] > 0,
            "unknown engagement: response null (left out): %r" % d["U00"]["activity"])
    r.check(d["U01"]["activity"]["response"] is not None and
            d["U01"]["activity"]["response"] < 0.15,
            "reported zero engagement: response about 0: %r" % d["U01"]["activity"])
    r.check(d["U00"]["facts"]["engagement_per_post"] == 0 and
            d["U00"]["facts"]["own_posts"] == 0,
            "no post of U00 counts toward engagement per post")
    # the same steady posting: unknown is not punished as zero is
    sc = {}
    con = sqlite3.connect(db)
    for e, a in con.execute("SELECT p.employee_id, s.activity FROM snapshot_scores s"
                            " JOIN people p USING (pid)"):
        sc[e] = a
    con.close()
    r.check(sc["U00"] > sc["U01"], "activity with unknown engagement %.3f > with zero %.3f" %
            (sc["U00"], sc["U01"]))
    out = amb(db, "explain", "U00")
    r.check("unknown: no own post's engagement was reported" in out,
            "explain says the response is unknown")


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-outcomes-")
    try:
        r.run(test_import_rules, tmp)
        r.run(test_derived, tmp)
        r.run(test_unknown_engagement, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
