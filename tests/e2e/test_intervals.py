#!/usr/bin/python3
"""Rank intervals through the real binary on the samples: `score --intervals`
stores them, the same data gives the same intervals twice, `explain` prints
"(90% interval a-b)", `rank` and `candidates --format json` carry
rank_interval [lo, hi] with lo <= rank <= hi, candidates marks a close call
exactly when a pick's interval overlaps that of the best person left out, the
report shows each person's interval and the close calls, the service's rank
and candidates replies carry the same, and a snapshot scored without
intervals shows none (null).
Environment: AMB_BINARY (required), AMB_SOURCE_DIR. Prints 'N passed, N failed'.
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import BINARY, Results, Server, request  # noqa: E402

SRC = os.environ.get("AMB_SOURCE_DIR") or os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))))
SAMPLES = os.path.join(SRC, "samples")
NOW = "2026-11-20T12:00:00Z"
B = "60"


def amb(db, *args):
    env = dict(os.environ, AMBASSADOR_NOW=NOW)
    p = subprocess.run([BINARY, "--db", db] + list(args), capture_output=True, text=True,
                       timeout=300, env=env)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), p.stderr))
    return p.stdout


def sample_db(tmp):
    db = os.path.join(tmp, "iv.db")
    amb(db, "-q", "import", "roster", os.path.join(SAMPLES, "roster.csv"))
    amb(db, "-q", "import", "survey", os.path.join(SAMPLES, "survey_msforms.csv"),
        "--codebook", os.path.join(SAMPLES, "codebook.csv"))
    amb(db, "-q", "import", "activity", os.path.join(SAMPLES, "activity.csv"))
    return db


def stored(db, snapshot):
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT pid, rank, rank_lo, rank_hi FROM snapshot_scores"
                           " WHERE snapshot_id = ? ORDER BY pid", (snapshot,)).fetchall()
    finally:
        con.close()


def good_interval(item):
    iv = item.get("rank_interval")
    return (isinstance(iv, list) and len(iv) == 2 and all(isinstance(x, int) for x in iv)
            and 1 <= iv[0] <= item["rank"] <= iv[1])


def overlap(a, b):
    return a[0] <= b[1] and b[0] <= a[1]


def test_deterministic(r, db):
    amb(db, "-q", "score", "--draft", "--intervals", B)
    amb(db, "-q", "score", "--draft", "--intervals=" + B)
    a, b = stored(db, 1), stored(db, 2)
    r.check(a == b, "two runs on the same data gave different intervals")
    ranked = [row for row in a if row[1] is not None]
    r.check(len(ranked) > 20, "few people ranked: %d" % len(ranked))
    r.check(all(lo is not None and lo <= rank <= hi for _, rank, lo, hi in ranked),
            "an interval misses its rank: %r" % ranked[:5])
    r.check(all(lo is None and hi is None for _, rank, lo, hi in a if rank is None),
            "someone not eligible has an interval")
    r.check(any(hi > lo for _, _, lo, hi in ranked), "every interval is a single rank")
    amb(db, "-q", "publish", "2")


def test_explain(r, db):
    first = json.loads(amb(db, "rank", "--format", "json", "--limit", "1"))["items"][0]
    out = amb(db, "explain", first["employee_id"])
    m = re.search(r"Rank (\d+) \(90% interval (\d+)-(\d+)\)", out)
    r.check(m is not None, "explain shows no interval:\n" + out[:400])
    if m:
        rank, lo, hi = (int(x) for x in m.groups())
        r.check(lo <= rank <= hi and [lo, hi] == first["rank_interval"],
                "explain's interval %d-%d (rank %d) is not rank's %r" % (
                    lo, hi, rank, first["rank_interval"]))
    j = json.loads(amb(db, "explain", first["employee_id"], "--format", "json"))
    r.check(j.get("rank_interval") == first["rank_interval"],
            "explain --format json: %r" % j.get("rank_interval"))


def test_rank(r, db):
    items = json.loads(amb(db, "rank", "--format", "json", "--limit", "0"))["items"]
    r.check(len(items) > 20, "rank lists %d" % len(items))
    bad = [i for i in items if not good_interval(i)]
    r.check(not bad, "rank items without a good interval: %r" % bad[:3])
    table = amb(db, "rank", "--limit", "3")
    r.check("rank_interval" in table, "the rank table has no interval column")


def check_close_calls(r, picks, ranked, what):
    picked = {p["employee_id"] for p in picks}
    left_out = next((i for i in ranked if i["employee_id"] not in picked), None)
    r.check(left_out is not None, what + ": nobody left out")
    if left_out is None:
        return
    for p in picks:
        r.check(good_interval(p), what + ": pick without a good interval: %r" % p)
        want = overlap(p["rank_interval"], left_out["rank_interval"])
        r.check(p.get("close_call") is want, "%s: %s close_call %r, intervals %r and %r" % (
            what, p["employee_id"], p.get("close_call"), p["rank_interval"],
            left_out["rank_interval"]))
    calls = [p["close_call"] for p in picks]
    r.check(True in calls and False in calls, what + ": close calls %r" % calls)


def test_candidates(r, db):
    ranked = json.loads(amb(db, "rank", "--format", "json", "--limit", "0"))["items"]
    picks = json.loads(amb(db, "candidates", "--size", "20", "--format", "json"))["items"]
    r.check(len(picks) == 20, "candidates: %d picks" % len(picks))
    check_close_calls(r, picks, ranked, "candidates")
    table = amb(db, "candidates", "--size", "20")
    r.check("close call" in table, "the candidates table marks no close call")


def test_report(r, db, tmp):
    out = os.path.join(tmp, "report.html")
    amb(db, "-q", "report", "--out", out, "--size", "20")
    with open(out, encoding="utf-8") as f:
        html = f.read()
    shown = re.findall(r"rank (\d+), 90% interval (\d+)&#8211;(\d+)", html)
    r.check(len(shown) == 20, "the report shows %d intervals for 20 people" % len(shown))
    r.check(all(int(lo) <= int(rank) <= int(hi) for rank, lo, hi in shown),
            "report intervals %r" % shown[:3])
    r.check("close call" in html, "the report marks no close call")


def test_service(r, db, tmp):
    srv = Server(db, "ipc://" + os.path.join(tmp, "iv.sock"))
    try:
        rank = request(srv.bind, {"op": "rank", "limit": 1000})
        r.check(rank and rank.get("ok"), "rank op: %r" % rank)
        items = rank["items"] if rank else []
        r.check(items and all(good_interval(i) for i in items),
                "rank op items without a good interval: %r" % items[:2])
        cand = request(srv.bind, {"op": "candidates", "size": 20})
        r.check(cand and cand.get("ok"), "candidates op: %r" % cand)
        if cand and items:
            check_close_calls(r, cand["items"], items, "candidates op")
    finally:
        srv.stop()


def test_without_intervals(r, db):
    amb(db, "-q", "score")
    items = json.loads(amb(db, "rank", "--format", "json", "--limit", "5"))["items"]
    r.check(items and all(i.get("rank_interval", "absent") is None for i in items),
            "a snapshot without intervals: %r" % items[:1])
    r.check("rank_interval" not in amb(db, "rank", "--limit", "3"),
            "the rank table shows an interval column without intervals")
    out = amb(db, "explain", items[0]["employee_id"])
    r.check("interval" not in out, "explain shows an interval without intervals")


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-intervals-")
    try:
        db = sample_db(tmp)
        r.run(test_deterministic, db)
        r.run(test_explain, db)
        r.run(test_rank, db)
        r.run(test_candidates, db)
        r.run(test_report, db, tmp)
        r.run(test_service, db, tmp)
        r.run(test_without_intervals, db)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
