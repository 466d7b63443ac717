#!/usr/bin/python3
"""The response sub-feature says something: among people with five or more
own posts in the window, Spearman's rho between response and engagement per
post is at least 0.8, on the samples and on a generated company; the
company's typical poster lands mid-range, the bottom quarter low, zero
engagement on many posts about zero, and `explain` says "strong response"
only for the top quarter (response 0.75 and up).
Environment: AMB_BINARY (required), AMB_SOURCE_DIR. Prints 'N passed, N failed'.
"""
import csv
import datetime
import json
import os
import random
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
OWN = ("post", "article", "video")


def amb(db, *args):
    env = dict(os.environ, AMBASSADOR_NOW=NOW)
    p = subprocess.run([BINARY, "--db", db] + list(args), capture_output=True, text=True,
                       timeout=300, env=env)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), p.stderr))
    return p.stdout


def ranks(xs):
    """Mid-ranks (ties share the mean of their positions)."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    out = [0.0] * len(xs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and xs[order[j + 1]] == xs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            out[order[k]] = (i + j) / 2.0 + 1
        i = j + 1
    return out


def spearman(a, b):
    ra, rb = ranks(a), ranks(b)
    n = len(a)
    ma, mb = sum(ra) / n, sum(rb) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    va = sum((x - ma) ** 2 for x in ra)
    vb = sum((y - mb) ** 2 for y in rb)
    return cov / (va * vb) ** 0.5


def own_posts_in_window(path):
    """Own posts per employee in the 26 weeks up to NOW, from the CSV."""
    now = datetime.datetime.fromisoformat(NOW.replace("Z", "+00:00"))
    week0 = now - datetime.timedelta(days=now.weekday(), hours=now.hour, minutes=now.minute)
    start = week0 - datetime.timedelta(weeks=25)
    n = {}
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            at = datetime.datetime.fromisoformat(row["occurred_at"].replace("Z", "+00:00"))
            if row["kind"] in OWN and row["origin"] in ("", "original") and start <= at <= now:
                n[row["employee_id"]] = n.get(row["employee_id"], 0) + 1
    return n


def details(db):
    con = sqlite3.connect(db)
    sid = con.execute("SELECT max(id) FROM snapshots").fetchone()[0]
    rows = con.execute("SELECT p.employee_id, s.detail FROM snapshot_details s"
                       " JOIN people p USING (pid) WHERE s.snapshot_id = ?", (sid,)).fetchall()
    con.close()
    return {e: json.loads(d) for e, d in rows}


def check_response(r, db, posts, label):
    """The properties on one scored database; posts = own posts per id."""
    d = details(db)
    measured = [e for e in d if posts.get(e, 0) >= 5]
    resp = [d[e]["activity"]["response"] for e in measured]
    rate = [d[e]["facts"]["engagement_per_post"] for e in measured]
    r.check(len(measured) >= 20, "%s: at least 20 people with 5+ posts (%d)" %
            (label, len(measured)))
    rho = spearman(resp, rate)
    print("  %s: Spearman rho %.3f over %d people with 5+ own posts" %
          (label, rho, len(measured)))
    r.check(rho >= 0.8, "%s: Spearman rho %.3f >= 0.8" % (label, rho))
    srt = sorted(resp)
    median = srt[len(srt) // 2]
    r.check(0.35 <= median <= 0.65, "%s: the typical poster lands mid-range (median %.3f)" %
            (label, median))
    r.check(srt[-1] > 0.9, "%s: the best responses reach the top (%.3f)" % (label, srt[-1]))
    q1 = sorted(rate)[len(rate) // 4]
    low = [(e, d[e]["activity"]["response"]) for e in measured
           if d[e]["facts"]["engagement_per_post"] < q1]
    r.check(low and all(v < 0.4 for _, v in low) and sum(v for _, v in low) / len(low) < 0.25,
            "%s: the bottom quarter gets a low response (each < 0.4, mean < 0.25): %s" %
            (label, [x for x in low if x[1] >= 0.4]))
    return d, measured


def strong_only_in_top_quarter(r, db, d, label):
    """Each pick's reason says "strong response" exactly when the response
    is in the top quarter (0.75 and up)."""
    out = amb(db, "candidates", "--size", "30", "--format", "csv")
    picks = list(csv.DictReader(out.splitlines()))
    said = {p["employee_id"]: "strong response" in p["reason"] for p in picks}
    top = [e for e in said if d[e]["activity"]["response"] >= 0.75]
    r.check(top and len(top) < len(said), "%s: picks on both sides of 0.75" % label)
    for e, s in said.items():
        v = d[e]["activity"]["response"]
        r.check(s == (v >= 0.75), "%s: %s (response %.3f) %s strong response" %
                (label, e, v, "says" if s else "does not say"))


def test_samples(r, tmp):
    db = os.path.join(tmp, "s.db")
    act = os.path.join(SAMPLES, "activity.csv")
    amb(db, "-q", "init")
    amb(db, "-q", "import", "roster", os.path.join(SAMPLES, "roster.csv"))
    amb(db, "-q", "import", "survey", os.path.join(SAMPLES, "survey_msforms.csv"),
        "--codebook", os.path.join(SAMPLES, "codebook.csv"))
    amb(db, "-q", "import", "activity", act)
    amb(db, "-q", "score")
    d, _ = check_response(r, db, own_posts_in_window(act), "samples")
    strong_only_in_top_quarter(r, db, d, "samples")
    # E0070: one own post, no engagement: no longer near the top
    r.check(d["E0070"]["activity"]["response"] < 0.5,
            "samples: E0070 with 0 engagement per post is below mid-range (%.3f)" %
            d["E0070"]["activity"]["response"])


def generate(tmp, rng, people=400):
    """A company whose people each have a log-normal engagement rate; some
    post a lot with nothing back, a few have one or two viral posts."""
    roster = os.path.join(tmp, "roster.csv")
    act = os.path.join(tmp, "activity.csv")
    now = datetime.datetime.fromisoformat(NOW.replace("Z", "+00:00"))
    zero, viral = set(), set()
    with open(roster, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["employee_id", "name", "email", "department", "level", "consent"])
        for i in range(people):
            w.writerow(["G%04d" % i, "", "", "Dept%d" % (i % 7), "employee", "yes"])
    events = []
    for i in range(people):
        eid = "G%04d" % i
        n = rng.choice([0, 0, 1, 2, 3, 5, 8, 12, 20, 30])
        rate = rng.lognormvariate(2.5, 1.0)
        if i % 37 == 0 and i % 41 != 1:
            n, rate = 15, 0.0
            zero.add(eid)
        if i % 41 == 1:
            n = 2  # two viral posts and nothing else
        for k in range(n):
            at = now - datetime.timedelta(days=rng.uniform(0.5, 170))
            e = rate * rng.lognormvariate(0, 0.5)
            if i % 41 == 1 and k < 2:
                e = 3000 + rng.uniform(0, 2000)
                viral.add(eid)
            reactions = int(e * 0.7)
            comments = int(e * 0.1)
            events.append([eid, at.strftime("%Y-%m-%dT%H:%M:%SZ"), "linkedin", "post",
                           "original", "g:%d:%d" % (i, k), "", reactions, comments, 0, ""])
    events.sort(key=lambda x: x[1])
    with open(act, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["employee_id", "occurred_at", "platform", "kind", "origin", "post_id",
                    "reach", "reactions", "comments", "shares", "clicks"])
        w.writerows(events)
    return roster, act, zero, viral


def test_generated(r, tmp):
    rng = random.Random(20261120)
    roster, act, zero, viral = generate(tmp, rng)
    db = os.path.join(tmp, "g.db")
    amb(db, "-q", "init")
    amb(db, "-q", "import", "roster", roster)
    amb(db, "-q", "import", "activity", act)
    amb(db, "-q", "score")
    own = own_posts_in_window(act)
    d, measured = check_response(r, db, own, "generated")
    con = sqlite3.connect(db)
    for e, a in con.execute("SELECT p.employee_id, s.activity FROM snapshot_scores s JOIN people p"
                            " USING (pid) WHERE s.snapshot_id = (SELECT max(id) FROM snapshots)"):
        d[e]["score_activity"] = a
    con.close()
    median_activity = sorted(d[e]["score_activity"] for e in measured)[len(measured) // 2]
    z = [d[e]["activity"]["response"] for e in zero]
    r.check(z and max(z) < 0.15, "generated: zero engagement on 15 posts gives about 0: %s" % z)
    # two viral posts among few: shrunk, and far below the raw rate's rank
    v = [e for e in viral if e in d]
    r.check(v, "generated: people with two viral posts exist")
    for e in v:
        f = d[e]["facts"]
        r.check(f["engagement_per_post_shrunk"] < 0.5 * f["engagement_per_post"],
                "generated: %s's viral posts are shrunk (%.1f from %.1f)" %
                (e, f["engagement_per_post_shrunk"], f["engagement_per_post"]))
        r.check(d[e]["score_activity"] < median_activity,
                "generated: two viral posts do not make a star (%s: activity %.3f, median"
                " of people with 5+ posts %.3f)" % (e, d[e]["score_activity"], median_activity))


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-response-")
    try:
        r.run(test_samples, tmp)
        r.run(test_generated, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
