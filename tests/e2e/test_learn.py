#!/usr/bin/python3
"""Learning from outcomes on a generated company whose outcomes follow known
weights: `weights evaluate` reports the AUC numpy computes from the same
scores (to 3 decimals), its precision and bands agree with a direct count,
it is deterministic, and it refuses with fewer than 20 outcomes saying why;
`weights fit` recovers the weights within TOLERANCE, never scores worse in
cross-validation than the start by more than its interval, and writes a
profile version it does not activate. The pilot is every candidate of the
published snapshot (score 40 or more), so few commands run.
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

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import BINARY, Results  # noqa: E402

GEN = os.path.join(os.path.dirname(BINARY), "bench", "bench_gen")
NOW = "2026-11-10T00:00:00Z"
AS_OF = "2025-05-05"          # the generated activity ends in early May 2025
ANSWERED = "2025-05-06T09:00:00Z"
# outcomes follow these weights on the log components (activity, attitude,
# motivation); the scale only sets how noisy they are
TRUE_BETA = np.array([0.6, 0.25, 0.15]) * 8.0
# how close the fitted weights (summing to 1) must come to the true ones
TOLERANCE = 0.12


def run(db, *args, now=NOW):
    env = dict(os.environ, AMBASSADOR_NOW=now)
    return subprocess.run([BINARY, "--db", db] + list(args), capture_output=True, text=True,
                          timeout=300, env=env)


def amb(db, *args, now=NOW):
    p = run(db, *args, now=now)
    if p.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), p.stderr))
    return p.stdout


def pilot_members(db):
    """Approve a pilot of every candidate of the published snapshot (one
    command, so the test stays fast under sanitizers): invitations are
    accepted only from an approved pilot. Members score 40 or more."""
    amb(db, "-q", "pilot", "propose", "--size", "100000", "--max-share", "1", "--name", "all")
    amb(db, "-q", "pilot", "approve", "all")
    out = amb(db, "pilot", "show", "all", "--format", "csv")
    import csv as _csv
    return {row["employee_id"] for row in _csv.DictReader(out.splitlines())}


def company(tmp):
    """Generated company, scored as of AS_OF; returns db and the eligible
    people with their components and score."""
    out = os.path.join(tmp, "gen")
    os.mkdir(out)
    subprocess.run([GEN, "--people", "800", "--events", "80k", "--out", out, "--seed", "7",
                    "--weeks", "26", "--survey-share", "0.95"], check=True,
                   capture_output=True)
    db = os.path.join(tmp, "learn.db")
    amb(db, "-q", "init")
    amb(db, "-q", "import", "roster", os.path.join(out, "roster.csv"))
    amb(db, "-q", "import", "survey", os.path.join(out, "survey.csv"), "--codebook",
        os.path.join(out, "codebook.csv"))
    amb(db, "-q", "import", "activity", os.path.join(out, "activity.csv"))
    amb(db, "-q", "score", "--as-of", AS_OF)  # a draft: published below
    amb(db, "-q", "publish", "1")
    con = sqlite3.connect(db)
    rows = con.execute("SELECT p.employee_id, s.score, s.activity, s.attitude, s.motivation"
                       " FROM snapshot_scores s JOIN people p USING (pid)"
                       " WHERE s.eligible = 1 ORDER BY p.employee_id").fetchall()
    con.close()
    members = pilot_members(db)
    return db, [row for row in rows if row[0] in members]


def outcomes(rows, seed):
    """Every pilot member answers: accepts with the logistic probability
    of the true weights."""
    rng = np.random.default_rng(seed)
    chosen = list(rows)
    logc = np.log(np.clip(np.array([[r[2], r[3], r[4]] for r in chosen]), 0.01, 1))
    z = logc @ TRUE_BETA
    z = z - np.median(z)
    y = (rng.random(len(chosen)) < 1 / (1 + np.exp(-z))).astype(int)
    return chosen, y


def numpy_auc(score, y):
    s1, s0 = score[y == 1], score[y == 0]
    gt = (s1[:, None] > s0[None, :]).sum()
    eq = (s1[:, None] == s0[None, :]).sum()
    return (gt + 0.5 * eq) / (len(s1) * len(s0))


def figures(db, *extra):
    out = json.loads(amb(db, "weights", "evaluate", "--as-of", AS_OF, "--format", "json",
                         *extra))
    return {(i["profile"], i["figure"]): i for i in out["items"]}, out["notice"]


def test_evaluate(r, db, rows):
    r.check(len(rows) >= 200, "the generated pilot is large enough (%d)" % len(rows))
    chosen, y = outcomes(rows, 11)
    for (eid, *_), yi in zip(chosen, y):
        amb(db, "-q", "invitations", "set", eid, "accepted" if yi else "declined", now=ANSWERED)
    score = np.array([c[1] for c in chosen])
    want = numpy_auc(score, y)
    got, notice = figures(db)
    auc = got[("default v1", "auc")]
    print("  AUC %.4f (numpy %.4f), 90%% interval %.3f-%.3f, %d people, %d accepted" %
          (auc["value"], want, auc["lo90"], auc["hi90"], len(y), y.sum()))
    STATE["chosen"], STATE["y"] = chosen, y
    r.check(round(auc["value"], 3) == round(want, 3),
            "AUC %.4f equals numpy's %.4f to 3 decimals" % (auc["value"], want))
    r.check(auc["lo90"] < auc["value"] < auc["hi90"], "the interval holds the AUC")
    r.check(auc["value"] > 0.6, "scores foretell outcomes that follow their components")
    order = np.lexsort((np.arange(len(score)), -score))
    prec = y[order[:12]].mean()
    r.check(abs(got[("default v1", "precision at 12")]["value"] - prec) < 1e-4,
            "precision at 12 = %.4f" % prec)
    for lo in range(0, 100, 20):
        key = ("default v1", "band %d-%d" % (lo, lo + 20))
        hi = lo + 20 if lo < 80 else 101
        m = (score >= lo) & (score < hi)
        r.check(got[key]["people"] == m.sum(), "%s has %d people" % (key[1], m.sum()))
        if m.sum():
            r.check(abs(got[key]["value"] - y[m].mean()) < 1e-4, "%s share" % key[1])
    r.check("%d people, %d with it" % (len(y), y.sum()) in notice, notice)
    again, _ = figures(db)
    r.check(again == got, "the same inputs and seed give the same figures")
    other, _ = figures(db, "--seed", "2")
    r.check(other[("default v1", "auc")]["value"] == auc["value"] and
            other[("default v1", "auc")]["lo90"] != auc["lo90"],
            "another seed moves only the interval")
    # two profiles side by side
    amb(db, "-q", "weights", "set", "w_attitude=0.01", "--profile", "noatt")
    got2, _ = figures(db, "--profile", "default", "--profile", "noatt")
    r.check(("noatt v2", "auc") in got2 and ("default v1", "auc") in got2 and
            got2[("noatt v2", "auc")]["value"] != got2[("default v1", "auc")]["value"],
            "each --profile gets its figures")


def fitted_weights(db, name):
    show = json.loads(amb(db, "weights", "show", "--profile", name, "--format", "json"))
    vals = {i["key"]: i["value"] for i in show["items"]}
    return np.array([vals["w_activity"], vals["w_attitude"], vals["w_motivation"]])


def cv_lines(out):
    """The three CV AUC lines: (value, lo, hi) each."""
    got = {}
    for line in out.splitlines():
        m = re.match(r"\s+(current weights|proposed weights|proposed minus current)\s+"
                     r"(-?[0-9.]+)\s+\(90% interval (-?[0-9.]+) to (-?[0-9.]+)\)", line)
        if m:
            got[m.group(1)] = tuple(float(v) for v in m.group(2, 3, 4))
    return got


STATE = {}


def test_fit(r, db):
    """Outcomes drawn from known weights: the fit recovers them within
    TOLERANCE, never scores worse in cross-validation than the start by
    more than its interval, writes a profile version it does not activate,
    and is deterministic."""
    r.check("y" in STATE, "test_evaluate recorded the outcomes")
    out = amb(db, "weights", "fit", "--outcome", "accepted", "--as-of", AS_OF)
    print("\n".join("    " + line for line in out.splitlines()[:12]))
    want = TRUE_BETA / TRUE_BETA.sum()
    got = fitted_weights(db, "default-fitted")
    print("  true weights %s, fitted %s" % (np.round(want, 3), got))
    r.check(np.all(np.abs(got - want) <= TOLERANCE),
            "fitted weights %s within %.2f of the true %s" % (got, TOLERANCE, np.round(want, 3)))
    cv = cv_lines(out)
    r.check(len(cv) == 3, "three cross-validated AUC lines: %r" % cv)
    cur, prop, diff = cv["current weights"], cv["proposed weights"], cv["proposed minus current"]
    r.check(prop[0] >= cur[0] - (prop[2] - prop[1]),
            "proposed CV AUC %.3f is not worse than the current %.3f by more than its "
            "interval width %.3f" % (prop[0], cur[0], prop[2] - prop[1]))
    r.check(diff[2] >= 0, "the paired difference's interval reaches 0 or above: %r" % (diff,))
    r.check("Saved as profile default-fitted version" in out and "not active" in out,
            "a proposed version is written")
    con = sqlite3.connect(db)
    active = con.execute("SELECT value FROM meta WHERE key = 'active_profile'").fetchone()
    con.close()
    r.check(active is None or active[0] == "default", "the active profile is unchanged")
    both, _ = figures(db, "--profile", "default", "--profile", "default-fitted")
    r.check(("default-fitted v1", "auc") in both, "evaluate compares the fitted profile")
    out2 = amb(db, "weights", "fit", "--outcome", "accepted", "--as-of", AS_OF, "--name", "again",
               "--note", "after the spring pilot")
    r.check(np.array_equal(fitted_weights(db, "again"), got) and cv_lines(out2) == cv,
            "the same data and seed give the same fit")
    hist = amb(db, "weights", "history", "--profile", "again")
    r.check("after the spring pilot" in hist, "--note is kept with the version")
    amb(db, "-q", "weights", "use", "default-fitted")
    con = sqlite3.connect(db)
    active = con.execute("SELECT value FROM meta WHERE key = 'active_profile'").fetchone()
    con.close()
    r.check(active and active[0] == "default-fitted", "weights use activates it after review")
    # starting far from the truth, the fit still moves toward it
    amb(db, "-q", "weights", "set", "w_activity=0.1", "w_attitude=0.1", "w_motivation=0.8",
        "--profile", "wrong")
    out3 = amb(db, "weights", "fit", "--outcome", "accepted", "--as-of", AS_OF, "--from",
               "wrong")
    far = fitted_weights(db, "wrong-fitted")
    r.check(np.abs(far - want).sum() < np.abs(np.array([0.1, 0.1, 0.8]) - want).sum(),
            "from a wrong start the fit moves toward the truth: %s" % far)
    cv3 = cv_lines(out3)
    r.check(cv3["proposed weights"][0] > cv3["current weights"][0],
            "and it predicts better than the wrong start: %r" % cv3)


def test_refuses_small_pilots(r, db, rows):
    for eid, *_ in rows[:12]:
        amb(db, "-q", "invitations", "set", eid, "accepted", now=ANSWERED)
    p = run(db, "weights", "evaluate", "--as-of", AS_OF)
    r.check(p.returncode != 0 and "12 outcomes; at least 20 are needed" in p.stderr and
            "a pilot of 12 cannot validate weights" in p.stderr,
            "12 outcomes refused with the reason: %r" % p.stderr)
    for eid, *_ in rows[12:30]:
        amb(db, "-q", "invitations", "set", eid, "accepted", now=ANSWERED)
    p = run(db, "weights", "evaluate", "--as-of", AS_OF)
    r.check(p.returncode != 0 and "all 30 outcomes are positive" in p.stderr,
            "only one kind of outcome refused: %r" % p.stderr)
    p = run(db, "weights", "evaluate", "--outcome", "sales")
    r.check(p.returncode != 0 and "accepted, active or rated" in p.stderr,
            "unknown outcome kind refused")


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-learn-")
    try:
        db, rows = company(tmp)
        # first with a handful of answers, then everyone's
        r.run(test_refuses_small_pilots, db, rows)
        r.run(test_evaluate, db, rows)
        r.run(test_fit, db)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
