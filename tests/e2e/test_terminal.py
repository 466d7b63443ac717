#!/usr/bin/python3
"""Terminal injection and small groups (test plan J8, J9, G12).

    J8 a roster row whose name holds ESC/BEL/CR is refused with
       file:line:col; names already in a database (written before the check)
       are printed escaped by rank, candidates, explain and invitations list;
       `weights set --note` with a control character is refused.
    J9 `query` prints a hostile server's raw escape sequences escaped, and
       does not read a reply over --max-reply (64 MiB sent, the client stays
       under 64 MiB of RSS and exits 1 naming the cap).
    G12 explain with fewer than min_group (5) eligible people shows no company
       percentile; with 58 it does. A survey import with 2 respondents shows
       no construct mean or alpha; the full sample (119) does.
"""
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import BINARY, Results, Server, make_db, request, run  # noqa: E402

import zmq  # noqa: E402

EVIL = "\x1b]0;owned\x07\x1b[2J\rX"


def raw_control(text):
    return [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f]


def test_roster_refused(r, tmp):
    db = os.path.join(tmp, "j8.db")
    run("init", db=db, check=True)
    path = os.path.join(tmp, "evil.csv")
    with open(path, "w", newline="") as f:
        f.write("employee_id,name,department\nE1,Ada,Sales\nE2,\"%s\",IT\n" % EVIL)
    p = run("import", "roster", path, db=db)
    r.check(p.returncode != 0 and "evil.csv:3:2: name has a control character (U+001B)"
            in p.stderr, "J8 import refuses ESC in a name with file:line:col: %s" % p.stderr)
    p = run("weights", "set", "activity=1", "--note", "\x1b[2Jhi", db=db)
    r.check(p.returncode != 0 and "--note has a control character" in p.stderr,
            "J8 weights --note with ESC refused: %s" % p.stderr)


def test_lists_escaped(r, tmp):
    db = os.path.join(tmp, "j8b.db")
    make_db(db)
    con = sqlite3.connect(db)
    with con:
        con.execute("UPDATE people SET name=?, department=? WHERE employee_id='EMP00001'",
                    (EVIL, "IT\x1b[31m"))
    con.close()
    for args in (("rank", "--limit", "5"), ("candidates", "--size", "5"),
                 ("explain", "EMP00001"), ("invitations", "list", "--limit", "60")):
        p = run(*args, db=db)
        bad = raw_control(p.stdout)
        r.check(p.returncode == 0 and not bad and "\\x1b" in p.stdout,
                "J8 %s prints the name escaped (rc %d, raw %r): %s" %
                (args[0], p.returncode, bad[:5], p.stderr[-300:]))
    p = run("rank", "--limit", "5", "--format", "json", db=db)
    r.check("\\u001b" in p.stdout, "J8 json keeps the data (escaped as JSON)")


FAKE = """
import sys, zmq
reply = open(sys.argv[2], "rb").read()
s = zmq.Context().socket(zmq.ROUTER)
s.bind(sys.argv[1])
print("ready", flush=True)
while True:
    frames = s.recv_multipart()
    s.send_multipart(frames[:-1] + [reply])
"""


def query_with(tmp, ep, reply, *extra, pad=0):
    """`query` against a fake server (its own process, so that this one
    stays small: a child's peak RSS counts this process's pages until exec)
    that answers every request with `reply`, `pad` x characters inserted
    before its last two bytes (written in pieces: this process stays small)."""
    path = os.path.join(tmp, "reply.bin")
    with open(path, "wb") as f:
        f.write(reply[:-2])
        for _ in range(pad >> 20):
            f.write(b"x" * (1 << 20))
        f.write(reply[-2:])
    srv = subprocess.Popen(["/usr/bin/python3", "-c", FAKE, ep, path], stdout=subprocess.PIPE)
    try:
        srv.stdout.readline()
        p = subprocess.run([BINARY, "query", '{"op":"ping"}', "--connect", ep, "--retries", "0",
                            "--timeout", "5000"] + list(extra), capture_output=True,
                           timeout=60)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    finally:
        srv.kill()
        srv.wait()
    return p, peak


def test_query(r, tmp):
    ep = "ipc://%s/fake.sock" % tmp
    p, _ = query_with(tmp, ep, b'{"ok":true,"name":"' + EVIL.encode() + b'\xc2\x9b"}')
    out = p.stdout.decode("utf-8", "replace")
    r.check(not raw_control(out) and "\\x1b]0;owned\\x07" in out and "\\u{009b}" in out,
            "J9 query escapes raw control characters: %r" % out)
    p, peak = query_with(tmp, ep, b'{"ok":true,"pad":""}', pad=64 << 20)
    r.check(p.returncode != 0 and b"is not read" in p.stderr,
            "J9 a 64 MiB reply is refused (rc %d): %s" % (p.returncode, p.stderr[-300:]))
    r.check(peak < 48 * 1024, "J9 query peak RSS %d KiB < 48 MiB" % peak)
    print("    peak RSS of the children so far, query refusing 64 MiB included: %d KiB" % peak)
    p, _ = query_with(tmp, ep, b'{"ok":true,"pad":""}', "--max-reply", str(2 << 20),
                      pad=1 << 20)
    r.check(p.returncode == 0 and len(p.stdout) > (1 << 20),
            "J9 --max-reply lets a 1 MiB reply through (rc %d)" % p.returncode)


def test_small_company(r, tmp):
    db = os.path.join(tmp, "p5.db")
    make_db(db, n=4)  # 2 eligible
    p = run("explain", "EMP00001", db=db)
    r.check(p.returncode == 0 and "th pct" not in p.stdout and "too few to compare" in p.stdout,
            "G12 explain with 2 eligible shows no company percentile: %s" % p.stdout[:600])
    srv = Server(db, "ipc://%s/p5.sock" % tmp)
    try:
        rep = request(srv.bind, {"op": "explain", "employee_id": "EMP00001"})
    finally:
        srv.stop()
    pct = (rep or {}).get("percentiles", {}).get("company", {})
    r.check(rep and rep.get("ok") and pct and all(v is None for v in pct.values()),
            "G12 the explain op with 2 eligible gives no company percentile: %s" % (rep,))
    db = os.path.join(tmp, "p5b.db")
    make_db(db, n=60)
    p = run("explain", "EMP00001", db=db)
    r.check(p.returncode == 0 and "99th pct" in p.stdout,
            "G12 control: with 58 eligible the percentile is shown: %s" % p.stdout[:600])


def test_small_survey(r, tmp):
    samples = os.path.join(os.environ.get("AMB_SOURCE_DIR", "."), "samples")
    db = os.path.join(tmp, "p5s.db")
    run("init", db=db, check=True)
    run("import", "roster", os.path.join(samples, "roster.csv"), db=db, check=True)
    small = os.path.join(tmp, "two.csv")
    with open(os.path.join(samples, "survey_msforms.csv"), encoding="utf-8-sig") as f:
        lines = f.read().splitlines(True)
    with open(small, "w", encoding="utf-8") as f:
        f.writelines(lines[:3])
    codebook = os.path.join(samples, "codebook.csv")
    p = run("import", "survey", small, "--codebook", codebook, "--date-order", "mdy", db=db)
    rows = [ln for ln in p.stdout.splitlines() if ln.startswith(("attitude", "intrinsic"))]
    r.check(p.returncode == 0 and len(rows) == 2 and
            all("not shown" in ln and "0." not in ln for ln in rows),
            "G12 survey import with 2 respondents shows no mean or alpha: %s %s" %
            (p.stdout, p.stderr[-300:]))
    p = run("import", "survey", os.path.join(samples, "survey_msforms.csv"), "--codebook",
            codebook, db=db)
    rows = [ln for ln in p.stdout.splitlines() if ln.startswith("attitude")]
    r.check(p.returncode == 0 and rows and "not shown" not in rows[0] and "0." in rows[0],
            "G12 control: the full sample shows the mean and alpha: %s" % p.stdout)


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-term-")
    try:
        r.run(test_roster_refused, tmp)
        r.run(test_lists_escaped, tmp)
        r.run(test_query, tmp)
        r.run(test_small_company, tmp)
        r.run(test_small_survey, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
