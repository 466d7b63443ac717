#!/usr/bin/python3
"""`ambassador explain ID --format json` and the service's {"op":"explain"}
give the same percentiles and the same reasons for the same person: the samples are
imported and scored with the real binary, one person declines an
invitation (percentiles do not move with invitations), a profile with
min_group 12 makes some departments too small to compare, and 50 people
(eligible and not) are asked both ways. `candidates` says the same
attitude band ("top 25%") in its reasons as `explain` for each pick.
Prints 'N passed, N failed'.
"""
import json
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import Results, Server, dealer, dealer_request, run  # noqa: E402

SAMPLES = os.path.join(os.environ.get("AMB_SOURCE_DIR", "."), "samples")
COMPONENTS = ("score", "activity", "attitude", "motivation")


def cli_explain(db, env, eid):
    """(company, department, reasons) as `explain ID --format json` gives
    them: percentiles by component (None when not shown), reasons as a list
    of sentences."""
    p = run("explain", eid, "--format", "json", db=db, env=env)
    if p.returncode != 0:
        return None, p.stderr
    doc = json.loads(p.stdout)
    reasons = [line[4:] for line in doc["reasons"].splitlines() if line.startswith("  - ")]
    pct = doc["percentiles"]
    return ({c: pct["company"][c] for c in COMPONENTS[1:]},
            {c: pct["department"][c] for c in COMPONENTS[1:]}, reasons), p.stdout


def same_pct(a, b):
    """Equal percentiles: both unknown, or equal to the six digits the CLI
    prints."""
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-4 * max(1.0, abs(b))


def test_both_routes_agree(r, tmp):
    db = os.path.join(tmp, "a.db")
    env = dict(os.environ, AMBASSADOR_NOW="2026-11-20T00:00:00Z")
    for args in (("init",), ("import", "roster", os.path.join(SAMPLES, "roster.csv")),
                 ("import", "survey", os.path.join(SAMPLES, "survey_msforms.csv"),
                  "--codebook", os.path.join(SAMPLES, "codebook.csv")),
                 ("import", "activity", os.path.join(SAMPLES, "activity.csv")),
                 ("weights", "set", "min_group=12"), ("score",)):
        p = run(*args, db=db, env=env)
        r.check(p.returncode == 0, "%s: %s" % (" ".join(args), p.stderr))
    # the best-ranked person declines: they leave the lists, not the comparison
    top = run("rank", "--limit", "1", "--format", "csv", db=db, env=env).stdout.splitlines()
    first = top[1].split(",")[1] if len(top) > 1 else ""
    p = run("invitations", "set", first, "declined", db=db, env=env)
    r.check(p.returncode == 0, "decline %s: %s" % (first, p.stderr))
    # ten more with the most positive attitude decline too: percentiles
    # among the people still listed (the old rule of `candidates`) would
    # move everyone's attitude band up
    ranked = json.loads(run("rank", "--limit", "0", "--format", "json", db=db,
                            env=env).stdout)["items"]
    keen = [x["employee_id"] for x in sorted(ranked, key=lambda x: -(x["attitude"] or 0))
            if x["employee_id"] != first][:10]
    for eid in keen:
        p = run("invitations", "set", eid, "declined", db=db, env=env)
        r.check(p.returncode == 0, "decline %s: %s" % (eid, p.stderr))
    declined = set(keen) | {first}
    # candidates' reasons use the same rule as explain
    cand = run("candidates", "--size", "12", "--format", "json", db=db, env=env)
    bands = 0
    for item in json.loads(cand.stdout)["items"] if cand.returncode == 0 else []:
        m = re.search(r"attitude \(([^)]*)\)", item["reason"])
        got, _ = cli_explain(db, env, item["employee_id"])
        want = [re.search(r"Attitude toward the organisation [0-9.]+ of 1 \(([^)]*)\)", x)
                for x in (got[2] if got else [])]
        want = [x.group(1) for x in want if x]
        if m:
            bands += 1
            r.check(want == [m.group(1)], "%s: candidates says attitude %r, explain %r" %
                    (item["employee_id"], m.group(1), want))
    r.check(bands >= 5, "candidates gave attitude bands to compare (%d)" % bands)
    ids = ["E%04d" % i for i in range(1, 151)]
    srv = Server(db, "ipc://%s/explain.sock" % tmp, extra=["--role", "hr"], env=env)
    sock = dealer(srv.bind)
    asked = agreed = small = not_eligible = 0
    try:
        for eid in ids:
            if asked == 50:
                break
            if eid in declined:
                continue
            rep = dealer_request(sock, {"op": "explain", "employee_id": eid})
            if not rep or not rep.get("ok"):
                r.check(rep is not None and rep.get("error", {}).get("code") == "not_found",
                        "%s: service %r" % (eid, rep))
                continue
            got, out = cli_explain(db, env, eid)
            if not r.check(got is not None, "%s: CLI explain failed: %s" % (eid, out)):
                continue
            asked += 1
            company, dept, reasons = got
            want_company = rep["percentiles"]["company"]
            want_dept = rep["percentiles"]["department"]
            not_eligible += not rep["eligible"]
            small += rep["eligible"] and want_dept["activity"] is None
            same = (all(same_pct(company[c], want_company[c]) for c in COMPONENTS[1:]) and
                    all(same_pct(dept[c], want_dept[c]) for c in COMPONENTS[1:]) and
                    reasons == rep["reasons"])
            agreed += r.check(same, "%s: CLI %r / %r / %r\nservice %r / %r / %r" % (
                eid, company, dept, reasons, want_company, want_dept, rep["reasons"]))
    finally:
        sock.close(0)
        srv.stop()
    r.check(asked == 50, "asked %d people both ways" % asked)
    r.check(agreed == asked, "%d of %d agree" % (agreed, asked))
    r.check(small > 0, "some departments too small to compare (%d people)" % small)
    r.check(not_eligible > 0, "some people not eligible (%d)" % not_eligible)


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-explain-")
    try:
        r.run(test_both_routes_agree, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
