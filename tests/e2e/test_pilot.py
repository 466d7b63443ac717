#!/usr/bin/python3
"""The pilot workflow end to end, as HR and the intranet use it: the real
binary on the bundled samples and pyzmq against a running `serve`.

 - `score --draft` and `score --as-of` leave the served snapshot unchanged;
   `publish N` swaps it; `snapshots` lists drafts and the published one.
 - With no approved pilot the intranet's `invitations` is empty with
   "pilot": null (never a ranking).
 - `pilot propose` stores the candidates; `add` refuses someone not
   listable, saying why; `remove` and `approve` are logged with author and
   reason; an approved pilot is frozen.
 - The intranet's invitations equal the approved pilot minus those with a
   status, in pilot order; a removed person never appears; an opted-out or
   departed person can be invited by no route (CLI, protocol); HR can set
   a status back to none with a reason, the intranet role cannot.
 - Data imported after the published snapshot is said by `ping`, `status`
   and `candidates`.
 - `serve` prints one start line without -v; `invitations` refuses a
   limit above 1000 with the documented message.
Environment: AMB_BINARY (required), AMB_SOURCE_DIR. Prints 'N passed, N failed'.
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import BINARY, SOURCE, Results, Server, request  # noqa: E402

SAMPLES = os.path.join(SOURCE, "samples")
ENV = dict(os.environ)
for k in ("AMBASSADOR_DB", "AMBASSADOR_MAX_PAGES", "AMB_FAULT"):
    ENV.pop(k, None)


def amb(db, *args):
    return subprocess.run([BINARY, "--db", db] + list(args), env=ENV, capture_output=True,
                          text=True, timeout=120)


def served_id(ep):
    rep = request(ep, {"op": "ping", "id": "p"}, timeout=5000)
    return rep["snapshot"]["id"] if rep and rep.get("ok") and rep["snapshot"] else None


def wait_for(what, deadline_s=10):
    """Poll `what()` until it is true (the server's loader polls every 100 ms)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        v = what()
        if v:
            return v
        time.sleep(0.1)
    return what()


def invitees(ep, limit=100):
    rep = request(ep, {"op": "invitations", "limit": limit, "id": "inv"}, timeout=5000)
    return rep


def setup(r, db):
    for args in (["init"], ["import", "roster", os.path.join(SAMPLES, "roster.csv")],
                 ["import", "survey", os.path.join(SAMPLES, "survey_msforms.csv"),
                  "--codebook", os.path.join(SAMPLES, "codebook.csv")],
                 ["import", "activity", os.path.join(SAMPLES, "activity.csv")], ["score"]):
        p = amb(db, "-q", *args)
        r.check(p.returncode == 0, "%s: %s" % (" ".join(args), p.stderr))


def test_pilot_workflow(r, tmp):
    db = os.path.join(tmp, "p.db")
    setup(r, db)
    ep = "ipc://%s/pilot.sock" % tmp
    srv = Server(db, ep)
    try:
        r.check(served_id(ep) == 1, "snapshot 1 served")
        r.check("serving on %s" % ep in srv.log() and "published snapshot #1" in srv.log(),
                "serve prints one start line without -v: %r" % srv.log())
        # Drafts never go live.
        p = amb(db, "score", "--draft")
        r.check(p.returncode == 0 and "draft" in p.stdout, "score --draft: %s" % p.stderr)
        p = amb(db, "score", "--as-of", "2030-01-01")
        r.check(p.returncode == 0 and "draft" in p.stdout, "--as-of implies a draft")
        time.sleep(0.5)
        r.check(served_id(ep) == 1, "a draft score leaves the served snapshot id unchanged")
        p = amb(db, "snapshots", "--format", "json")
        snaps = {s["id"]: s["published"] for s in json.loads(p.stdout)["items"]}
        r.check(snaps == {1: "yes (served)", 2: "no (draft)", 3: "no (draft)"},
                "snapshots: %r" % snaps)
        p = amb(db, "rank", "--limit", "1", "--format", "json")
        r.check(p.returncode == 0 and json.loads(p.stdout)["items"][0]["rank"] == 1,
                "rank reads the published snapshot, not the empty 2030 draft")
        # No approved pilot: nobody from a ranking.
        rep = invitees(ep)
        r.check(rep and rep["ok"] and rep["items"] == [] and rep["pilot"] is None,
                "no approved pilot: items [] and pilot null: %r" % rep)
        # HR proposes, reviews and approves.
        cand = json.loads(amb(db, "candidates", "--size", "12", "--format", "json").stdout)
        r.check(all("email" in c and "consent" in c for c in cand["items"]),
                "candidates json carries e-mail and consent")
        p = amb(db, "pilot", "propose", "--size", "12", "--name", "spring")
        r.check(p.returncode == 0, "pilot propose: %s" % p.stderr)
        show = json.loads(amb(db, "pilot", "show", "--format", "json").stdout)
        members = [m["employee_id"] for m in show["members"]["items"]]
        r.check(members == [c["employee_id"] for c in cand["items"]],
                "the proposed pilot is the candidate list, in order")
        removed = members[1]
        p = amb(db, "pilot", "remove", removed, "--reason", "on parental leave",
                "--author", "Hanne HR")
        r.check(p.returncode == 0, "pilot remove: %s" % p.stderr)
        p = amb(db, "pilot", "add", "E0110")  # opted out in the samples
        r.check(p.returncode == 1 and "opted out" in p.stderr,
                "add refuses an opted-out person, saying why: %r" % p.stderr)
        ranked = json.loads(amb(db, "rank", "--limit", "60", "--format", "json").stdout)
        extra = [x["employee_id"] for x in ranked["items"] if x["employee_id"] not in members][0]
        p = amb(db, "pilot", "add", " %s " % extra, "--reason", "asked to join")
        r.check(p.returncode == 0, "pilot add (id with spaces trimmed): %s" % p.stderr)
        r.check(amb(db, "invitations", "set", extra, "invited").returncode == 1,
                "nobody is invited from a draft pilot")
        p = amb(db, "pilot", "approve", "--author", "Hanne HR")
        r.check(p.returncode == 0, "pilot approve: %s" % p.stderr)
        r.check(amb(db, "pilot", "add", removed).returncode == 1, "an approved pilot is frozen")
        show = json.loads(amb(db, "pilot", "show", "spring", "--format", "json").stdout)
        decisions = [(d["action"], d["employee_id"], d["author"], d["reason"])
                     for d in show["decisions"]["items"]]
        r.check(("remove", removed, "Hanne HR", "on parental leave") in decisions and
                ("add", extra, decisions[2][2], "asked to join") in decisions and
                decisions[-1][0] == "approve" and decisions[-1][2] == "Hanne HR",
                "every decision kept with author and reason: %r" % decisions)
        pilot = [m for m in members if m != removed] + [extra]
        # The intranet invites exactly the approved pilot, in order.
        rep = wait_for(lambda: (invitees(ep) or {}).get("pilot") and invitees(ep))
        got = [x["employee_id"] for x in rep["items"]] if rep else None
        r.check(got == pilot, "invitations = the approved pilot in order: %r" % got)
        r.check(rep and rep["pilot"]["name"] == "spring", "the reply names the pilot")
        r.check(rep and all(set(x) == {"employee_id", "name", "email", "department"}
                            for x in rep["items"]), "the intranet sees no score or reason")
        r.check(removed not in (got or []), "a removed person never appears")
        rep = request(ep, {"op": "invitation_status", "employee_id": pilot[0],
                           "status": "invited", "id": 1})
        r.check(rep and rep["ok"], "invited the first: %r" % rep)
        got = [x["employee_id"] for x in invitees(ep)["items"]]
        r.check(got == pilot[1:], "the invited leave the list, the order stays: %r" % got)
        # Opted-out and departed people can be invited by no route.
        for route in ("cli", "protocol"):
            if route == "cli":
                p = amb(db, "invitations", "set", "E0110", "invited")
                ok = p.returncode == 1 and "opted out" in p.stderr
            else:
                rep = request(ep, {"op": "invitation_status", "employee_id": "E0110",
                                   "status": "accepted"})
                ok = rep and rep["error"]["code"] == "forbidden"
            r.check(ok, "an opted-out person cannot be invited (%s)" % route)
        leaver = pilot[2]
        roster = os.path.join(tmp, "roster_left.csv")
        with open(os.path.join(SAMPLES, "roster.csv"), newline="", encoding="utf-8-sig") as f:
            rows = [x for x in csv.DictReader(f)]
        with open(roster, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
            w.writeheader()
            w.writerows(x for x in rows if x["employee_id"] != leaver)
        p = amb(db, "import", "roster", roster)
        r.check(p.returncode == 0 and "marked as departed: 1" in p.stderr + p.stdout,
                "one person left: %s %s" % (p.stdout, p.stderr))
        got = wait_for(lambda: leaver not in [x["employee_id"]
                                              for x in invitees(ep)["items"]])
        r.check(got, "a departed person leaves the invitation list")
        rep = request(ep, {"op": "invitation_status", "employee_id": leaver,
                           "status": "invited"})
        r.check(rep and rep["error"]["code"] == "forbidden" and "left" in
                rep["error"]["message"], "a departed person cannot be invited: %r" % rep)
        r.check(amb(db, "invitations", "set", leaver, "accepted").returncode == 1,
                "nor accepted from the CLI")
        # Someone declines: they leave the invitations, but the pilot's record
        # keeps the scores it was approved with and says they declined.
        decliner = pilot[1]
        r.check(amb(db, "invitations", "set", decliner, "declined").returncode == 0,
                "a pilot member declines")
        got = wait_for(lambda: decliner not in [x["employee_id"]
                                                for x in invitees(ep)["items"]])
        r.check(got, "a person who declined leaves the invitation list")
        show = json.loads(amb(db, "pilot", "show", "spring", "--format", "json").stdout)
        row = [m for m in show["members"]["items"] if m["employee_id"] == decliner]
        r.check(row and row[0]["invitation"] == "declined" and
                isinstance(row[0]["score"], (int, float)) and row[0]["score"] > 0,
                "pilot show keeps a decliner's score and says declined: %r" % row)
        # HR corrects a mistake; the reason is kept.
        r.check(amb(db, "invitations", "set", pilot[0], "none").returncode == 2,
                "none needs --reason")
        p = amb(db, "invitations", "set", pilot[0], "none", "--reason", "wrong person clicked")
        r.check(p.returncode == 0, "HR sets a status back to none: %s" % p.stderr)
        got = wait_for(lambda: pilot[0] in [x["employee_id"] for x in invitees(ep)["items"]])
        r.check(got, "the reset person is listed again")
        pipe = json.loads(amb(db, "invitations", "--format", "json").stdout)
        r.check(any(x["department"] == "all" for x in pipe["counts"]["items"]) and
                len(pipe["people"]["items"]) >= len(pilot) - 1, "the pipeline: %r" % pipe)
        # Stale data is said.
        p = amb(db, "-q", "import", "activity", os.path.join(SAMPLES, "activity_overlap.csv"))
        r.check(p.returncode == 0, "an import after the publication")
        rep = wait_for(lambda: (request(ep, {"op": "ping"}) or {}).get("stale") and
                       request(ep, {"op": "ping"}))
        r.check(rep and rep["stale"] is True and "run score" in rep["notice"],
                "ping says the data is newer: %r" % rep)
        st = json.loads(amb(db, "status", "--format", "json").stdout)
        r.check(st["stale"] is True, "status says so")
        p = amb(db, "candidates", "--size", "3")
        r.check("newer than the published snapshot" in p.stdout, "candidates says so")
        # Publishing swaps what is served.
        r.check(amb(db, "publish", "2").returncode == 0, "publish 2")
        r.check(wait_for(lambda: served_id(ep) == 2), "the server swaps to the publication")
        rep = request(ep, {"op": "invitations", "limit": 1001})
        r.check(rep and rep["error"]["message"] == "limit: must be between 1 and 1000",
                "limit above 1000 refused: %r" % rep)
    finally:
        srv.stop()
    # The intranet role cannot set a status back to none.
    ep2 = "ipc://%s/intranet.sock" % tmp
    srv = Server(db, ep2, extra=["--role", "intranet"])
    try:
        rep = request(ep2, {"op": "invitation_status", "employee_id": pilot[0],
                            "status": "none", "reason": "x"})
        r.check(rep and rep["error"]["code"] == "forbidden", "intranet cannot reset: %r" % rep)
    finally:
        srv.stop()


def test_guards(r, tmp):
    db = os.path.join(tmp, "g.db")
    setup(r, db)
    p = amb(db, "retention", "--days", "30")
    r.check(p.returncode == 2 and "scoring window" in p.stderr and "--force" in p.stderr,
            "retention inside the scoring window is refused: %r" % p.stderr)
    p = amb(db, "retention", "--days", "30", "--dry-run", "--force")
    r.check(p.returncode == 0, "--force allows it: %s" % p.stderr)
    p = amb(db, "weights", "preview", "w_activity=2")
    r.check(p.returncode == 0, "weights preview w_activity=2 (README): %s" % p.stderr)
    p = amb(db, "explain", "E0109")
    r.check(p.returncode == 0 and "1th" not in p.stdout and "2th" not in p.stdout and
            "3th" not in p.stdout and " pct" in p.stdout, "ordinals read right: %s" % p.stdout)
    p = amb(db, "explain", "E0109", "--format", "json")
    r.check(p.returncode == 0 and json.loads(p.stdout)["employee_id"] == "E0109",
            "explain --format json")
    keys = os.path.join(tmp, "k")
    os.mkdir(keys)
    amb(db, "keygen", os.path.join(keys, "srv"))
    with open(os.path.join(keys, "clients.csv"), "w") as f:
        f.write("public_key,role,name\n")
    p = subprocess.run([BINARY, "--db", db, "serve", "--bind", "ipc://%s/x.sock" % tmp,
                        "--curve-secret", os.path.join(keys, "srv.pub"), "--clients",
                        os.path.join(keys, "clients.csv")], env=ENV, capture_output=True,
                       text=True, timeout=20)
    r.check(p.returncode == 2 and "public key" in p.stderr,
            "serve refuses a public key as --curve-secret: %r" % p.stderr)
    # A client whose key the server refuses is told so, not "no reply".
    amb(db, "keygen", os.path.join(keys, "stranger"))
    ep = "ipc://%s/curve.sock" % tmp
    srv = Server(db, ep, extra=["--curve-secret", os.path.join(keys, "srv.key"), "--clients",
                                os.path.join(keys, "clients.csv")], wait=False)
    try:
        time.sleep(1.0)
        p = subprocess.run([BINARY, "query", '{"op":"ping"}', "--connect", ep,
                            "--curve-server-key", os.path.join(keys, "srv.pub"),
                            "--curve-secret", os.path.join(keys, "stranger.key")],
                           env=ENV, capture_output=True, text=True, timeout=60)
        r.check(p.returncode == 1 and "refused this client's key" in p.stderr,
                "query says the server refused its key: %r" % p.stderr)
    finally:
        srv.stop()


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-pilot-")
    try:
        r.run(test_pilot_workflow, tmp)
        r.run(test_guards, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return r.finish()


if __name__ == "__main__":
    sys.exit(main())
