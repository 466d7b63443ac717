#!/usr/bin/python3
"""`ambassador import activity --source viva-engage|linkedin-export` end to
end through the real binary, on files made here (docs/imports.md, section
'Activity from Viva Engage and LinkedIn'): a 7-day Viva Engage report fills
one week; a 28-day one spreads over four weeks, is coarse, and explain says
steadiness could not be observed; the same report twice counts once; the
User Principal Name matches ignoring case; an unknown e-mail is counted as
not on the roster; a missing column names file and column. A LinkedIn
archive from a ZIP (made with zipfile) and from its folder give the same
cells; a share with no text of its own pointing at a post is a reshare; the
posts' engagement stays unknown (response null, not 0); --employee is
required; no text of the archive reaches the database file.
Environment: AMB_BINARY (required), AMB_SOURCE_DIR. Prints 'N passed, N failed'.
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import BINARY, Results  # noqa: E402

SRC = os.environ.get("AMB_SOURCE_DIR") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
SAMPLES = os.path.join(SRC, "samples")
NOW = "2026-11-01T12:00:00Z"
VIVA_HEADER = ("Report Refresh Date,User Principal Name,Display Name,User State,"
               "State Change Date,Last Activity Date,Posted Count,Read Count,Liked Count,"
               "Assigned Products,Report Period\n")
SHARES = (
    "Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility\n"
    "2026-10-21 08:14:02,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A11,"
    "\"Zebrafinch commentary, quoted\",https://example.com/blog,,MEMBER_NETWORK\n"
    "2026-10-14 12:40:55,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A7,,"
    "https://www.linkedin.com/feed/update/urn:li:activity:99/,,MEMBER_NETWORK\n"
    "2026-09-30 17:02:31,https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A3,"
    "Quokka notes from the meetup,,,MEMBER_NETWORK\n")
COMMENTS = ("Date,Link,Message\n"
            "2026-10-22 09:31:10,https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A2,"
            "Marmoset agrees with this\n")
REACTIONS = ("Date,Type,Link\n"
             "2026-10-23 07:55:00,LIKE,https://www.linkedin.com/feed/update/"
             "urn%3Ali%3Aactivity%3A4\n")


def run(db, *args):
    env = dict(os.environ, AMBASSADOR_NOW=NOW)
    return subprocess.run([BINARY, "--db", db] + list(args), capture_output=True, text=True,
                          timeout=120, env=env)


def amb(db, *args):
    p = run(db, *args)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), p.stderr))
    return p.stdout


def fresh(tmp, name, survey=False):
    db = os.path.join(tmp, name + ".db")
    amb(db, "-q", "init")
    amb(db, "-q", "import", "roster", os.path.join(SAMPLES, "roster.csv"))
    if survey:
        amb(db, "-q", "import", "survey", os.path.join(SAMPLES, "survey_msforms.csv"),
            "--codebook", os.path.join(SAMPLES, "codebook.csv"))
    return db


def rows(db, sql, *params):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def cells(db, emp):
    return rows(db, "SELECT w.week, f.name, w.kind, w.events, w.unrated, w.coarse"
                    " FROM activity_weekly w JOIN people p USING (pid)"
                    " JOIN platforms f ON f.id = w.platform"
                    " WHERE p.employee_id = ? ORDER BY 1, 2, 3", emp)


def write(tmp, name, text):
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def test_viva_weekly(r, tmp):
    db = fresh(tmp, "weekly")
    out = amb(db, "import", "activity", "--source", "viva-engage",
              os.path.join(SAMPLES, "viva_engage_weekly.csv"))
    # the sample's UPN Sanne.Brandt@example.com is sanne.brandt@example.com
    c = cells(db, "E0001")
    r.check(len({w for w, *_ in c}) == 1, "7-day report fills one week: %r" % c)
    r.check([(k, e, u, co) for _, _, k, e, u, co in c] == [(1, 3, 3, 0), (6, 7, 0, 0)],
            "posts (unrated) and reactions of E0001: %r" % c)
    r.check("not on the roster: 2" in out, "unknown e-mails counted: " + out)
    r.check("opted out: 1" in out, "opted-out person skipped: " + out)
    again = amb(db, "import", "activity", "--source", "viva-engage",
                os.path.join(SAMPLES, "viva_engage_weekly.csv"))
    r.check("already imported" in again, "the same report again is a duplicate: " + again)
    with open(os.path.join(SAMPLES, "viva_engage_weekly.csv"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    shuffled = write(tmp, "resaved.csv", "\n".join([lines[0]] + lines[:0:-1]) + "\n")
    out = amb(db, "import", "activity", "--source", "viva-engage", shuffled, "--force")
    r.check(cells(db, "E0001") == c, "a re-saved report counts once: %r" % cells(db, "E0001"))
    r.check("weekly figures already counted: 6" in out, "re-saved report reported: " + out)


def test_viva_monthly_is_coarse(r, tmp):
    db = fresh(tmp, "monthly", survey=True)
    report = write(tmp, "viva28.csv", VIVA_HEADER +
                   "2026-10-25,SANNE.BRANDT@EXAMPLE.COM,Sanne,,,,8,30,4,,28\n")
    amb(db, "import", "activity", "--source", "viva-engage", report)
    c = cells(db, "E0001")
    r.check(len({w for w, *_ in c}) == 4, "28-day report spreads over 4 weeks: %r" % c)
    r.check(sum(e for *_, k, e, u, co in c if k == 1) == 8, "posts kept whole: %r" % c)
    r.check(all(co == e for *_, e, u, co in c), "every spread event coarse: %r" % c)
    amb(db, "-q", "score")
    text = amb(db, "explain", "E0001")
    r.check("steadiness could not be observed" in text or
            "could not be observed: activity from a report over several weeks" in text,
            "explain says steadiness was not observed:\n" + text)
    detail = json.loads(amb(db, "explain", "E0001", "--format", "json"))["detail"]
    r.check(detail["activity"]["steadiness"] is None,
            "steadiness null in the detail: %r" % detail["activity"])
    # a 7-day report of someone else: steadiness observed
    amb(db, "import", "activity", "--source", "viva-engage",
        write(tmp, "viva7.csv", VIVA_HEADER +
              "2026-10-25,astrid.thygesen@example.com,,,,,2,0,0,,7\n"))
    amb(db, "-q", "score")
    text = amb(db, "explain", "E0002")
    r.check("could not be observed" not in text, "a weekly report is steady data:\n" + text)


def test_viva_errors(r, tmp):
    db = fresh(tmp, "errors")
    bad = write(tmp, "no_liked.csv", "Report Refresh Date,User Principal Name,Posted Count,"
                "Report Period\n2026-10-25,sanne.brandt@example.com,1,7\n")
    p = run(db, "import", "activity", "--source", "viva-engage", bad)
    r.check(p.returncode != 0, "a missing column fails")
    r.check("no_liked.csv:1:1: required column 'Liked Count' is missing" in p.stderr,
            "names file and column: " + p.stderr)
    nobody = write(tmp, "nobody.csv", VIVA_HEADER +
                   "2026-10-25,someone@elsewhere.example,,,,,1,0,0,,7\n")
    p = run(db, "import", "activity", "--source", "viva-engage", nobody)
    r.check(p.returncode != 0 and "nobody matched" in p.stderr, "matching nobody fails: " +
            p.stderr)
    r.check(rows(db, "SELECT count(*) FROM activity_weekly") == [(0,)], "nothing stored")
    p = run(db, "import", "activity", "--source", "myspace", nobody)
    r.check(p.returncode != 0 and "csv, viva-engage or linkedin-export" in p.stderr,
            "an unknown source is named: " + p.stderr)


def make_archive(tmp):
    folder = os.path.join(tmp, "Basic_LinkedInDataExport_11-01-2026")
    os.mkdir(folder)
    for name, text in (("Shares.csv", SHARES), ("Comments.csv", COMMENTS),
                       ("Reactions.csv", REACTIONS),
                       ("messages.csv", "FROM,TO,CONTENT\nA,B,Okapi private\n")):
        write(folder, name, text)
    zpath = folder + ".zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(os.listdir(folder)):
            z.write(os.path.join(folder, name), name)
    return folder, zpath


def test_linkedin(r, tmp):
    folder, zpath = make_archive(tmp)
    a = fresh(tmp, "folder", survey=True)
    b = fresh(tmp, "zip", survey=True)
    out = amb(a, "import", "activity", "--source", "linkedin-export", folder + "/",
              "--employee", "E0003")
    r.check("4 rows read" not in out and "5 rows read, 5 kept" in out, "summary: " + out)
    amb(b, "import", "activity", "--source", "linkedin-export", zpath, "--employee", "E0003")
    ca, cb = cells(a, "E0003"), cells(b, "E0003")
    r.check(ca == cb and ca, "ZIP and folder give the same cells: %r / %r" % (ca, cb))
    kinds = sorted((k, e) for _, _, k, e, _, _ in ca)
    # posts 2 (1 + 1 in other weeks), reshare 1, comment 1, reaction 1
    r.check(sum(e for k, e in kinds if k == 1) == 2, "two own posts: %r" % kinds)
    r.check(sum(e for k, e in kinds if k == 5) == 1, "one reshare: %r" % kinds)
    r.check(sum(e for k, e in kinds if k == 4) == 1, "one comment: %r" % kinds)
    r.check(sum(e for k, e in kinds if k == 6) == 1, "one reaction: %r" % kinds)
    r.check(all(u == e for _, _, k, e, u, _ in ca if k == 1), "posts unrated: %r" % ca)
    again = amb(b, "import", "activity", "--source", "linkedin-export", folder + "/",
                "--employee", "E0003")
    r.check("already imported" in again, "the folder after the ZIP is a duplicate: " + again)
    r.check(rows(b, "SELECT source FROM imports WHERE kind = 'activity'") ==
            [(os.path.basename(zpath),)], "the ledger names the ZIP")
    r.check(rows(a, "SELECT source FROM imports WHERE kind = 'activity'") ==
            [(os.path.basename(folder),)], "the ledger names the folder")
    amb(a, "-q", "score")
    detail = json.loads(amb(a, "explain", "E0003", "--format", "json"))["detail"]
    r.check(detail["activity"]["response"] is None,
            "engagement unknown, response null (not 0): %r" % detail["activity"])
    text = amb(a, "explain", "E0003")
    r.check("unknown: no own post's engagement was reported" in text, "explain:\n" + text)
    for db in (a, b):
        with open(db, "rb") as f:
            data = f.read()
        wal = db + "-wal"
        if os.path.exists(wal):
            with open(wal, "rb") as f:
                data += f.read()
        for word in (b"Zebrafinch", b"Quokka", b"Marmoset", b"Okapi", b"urn%3Ali"):
            r.check(word not in data, "%r is not in %s" % (word, os.path.basename(db)))


def test_linkedin_errors(r, tmp):
    folder, _ = make_archive(tmp)
    db = fresh(tmp, "li_errors")
    p = run(db, "import", "activity", "--source", "linkedin-export", folder)
    r.check(p.returncode != 0 and "needs --employee ID" in p.stderr,
            "--employee missing: " + p.stderr)
    p = run(db, "import", "activity", "--source", "linkedin-export", folder,
            "--employee", "E9999")
    r.check(p.returncode != 0 and "E9999 is not on the roster" in p.stderr,
            "unknown employee: " + p.stderr)
    p = run(db, "import", "activity", os.path.join(SAMPLES, "activity.csv"),
            "--employee", "E0001")
    r.check(p.returncode != 0 and "--employee is for --source linkedin-export" in p.stderr,
            "--employee without the source: " + p.stderr)
    write(folder, "Comments.csv", "Date,Link\n2026-10-22 09:31:10,x\n")
    p = run(db, "import", "activity", "--source", "linkedin-export", folder,
            "--employee", "E0003")
    r.check(p.returncode != 0 and
            "Comments.csv:1:1: required column 'Message' is missing" in p.stderr,
            "missing column named: " + p.stderr)
    r.check(rows(db, "SELECT count(*) FROM activity_weekly") == [(0,)], "atomic: nothing")
    samples = os.path.join(SAMPLES, "linkedin_archive")
    out = amb(db, "import", "activity", "--source", "linkedin-export", samples,
              "--employee", "E0002")
    r.check("8 rows read, 8 kept" in out, "the sample archive imports: " + out)


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-sources-")
    try:
        for t in (test_viva_weekly, test_viva_monthly_is_coarse, test_viva_errors,
                  test_linkedin, test_linkedin_errors):
            sub = os.path.join(tmp, t.__name__)
            os.mkdir(sub)
            r.run(t, sub)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
