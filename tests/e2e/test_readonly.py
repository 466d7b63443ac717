#!/usr/bin/python3
"""C5 (docs/testing.md, section 'Faults, fuzzing and analysers'): a read-only
database, end to end.

The product's own way is the global `--read-only` option (case 0); the
others are what a deployment can do to the file around it:

 0. `ambassador --read-only`: reads (`status`, `rank`) give the same output
    as without it; writes (`import roster`, `score`, `erase`) fail with one
    line naming read-only; `serve --read-only` answers reads, answers
    invitation_status with an error reply, writes its audit lines to the
    log (one `audit:` line per request) and exits 0 on SIGTERM.
 1. Read-only file: the database file mode 0444, its directory writable
    (SQLite needs to create -wal/-shm). As root chmod does not bind, so the
    commands run as user nobody (setpriv); SQLite then opens the file
    read-only. Reads (`status`, `rank`, `invitations list`) work and give the
    same output as on the writable file; writes (`import roster`, `erase`,
    `invitations set`) fail with one "ambassador: ... read-only" line and
    change nothing; `serve` starts, answers rank/explain/invitations from the
    file, answers the write op invitation_status with an error reply, and
    exits 0 on SIGTERM.
 2. WAL database in a read-only directory without a -shm file (SQLite's
    documented limit, wal.html section 5): whatever the command does, it
    fails with one clean line or works, never crashes, never writes.
 3. `--db 'file:PATH?mode=ro'` (an SQLite URI): --db takes a path, not a
    URI (README: use --read-only); if it is accepted it must be read-only
    (import fails, reads work), else refused with one clean line.
After all: the ordered dump is unchanged and integrity_check is ok.
Environment: AMB_BINARY (required), AMB_SOURCE_DIR. Prints 'N passed, N failed'.
"""
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from svc_helpers import (BINARY, Results, Server, dump_digest, make_db,  # noqa: E402
                         person_id, request)

N = 40
NOBODY = 65534


def drop_prefix():
    """The command prefix that runs a process without root's override of
    file modes: empty when not root, setpriv to nobody when root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if not setpriv:
        return None
    return [setpriv, "--reuid=%d" % NOBODY, "--regid=%d" % NOBODY, "--clear-groups"]


def amb(prefix, db, *args, timeout=60):
    return subprocess.run(list(prefix) + [BINARY, "--db", db] + list(args),
                          capture_output=True, text=True, timeout=timeout)


def one_line(p, pattern):
    """A failed command printed exactly one 'ambassador: ' line matching pattern."""
    lines = [x for x in p.stderr.splitlines() if x.startswith("ambassador: ")]
    return (p.returncode not in (0,) and p.returncode > 0 and len(lines) == 1 and
            pattern in lines[0].lower())


def write_roster(path):
    with open(path, "w") as f:
        f.write("employee_id,name,email,department,level,consent\n")
        for i in range(1, 6):
            f.write("NEW%03d,Synthetic New %d,new%d@example.invalid,Sales,employee,yes\n"
                    % (i, i, i))
    os.chmod(path, 0o644)


def no_sanitizer(r, p, what):
    r.check("Sanitizer" not in p.stderr and "runtime error:" not in p.stderr,
            "%s: sanitizer report: %s" % (what, p.stderr[:2000]))


def test_read_only_file(r, tmp, prefix):
    d = os.path.join(tmp, "rofile")
    os.mkdir(d)
    os.chmod(d, 0o777)  # SQLite creates -wal/-shm next to the file
    db = os.path.join(d, "ro.db")
    make_db(db, N)
    roster = os.path.join(tmp, "new.csv")
    write_roster(roster)
    # Expected reads, from the writable file.
    want_status = amb([], db, "status")
    want_rank = amb([], db, "rank", "--format", "json", "--limit", "10")
    want_inv = amb([], db, "invitations", "list", "--format", "json", "--limit", "5")
    r.check(want_status.returncode == 0 and want_rank.returncode == 0 and
            want_inv.returncode == 0, "reads on the writable file")
    for suffix in ("-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    integrity, before = dump_digest(db)
    for suffix in ("-wal", "-shm"):  # dump_digest may leave them, owned by root
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    os.chmod(db, 0o444)

    # Reads keep working.
    p = amb(prefix, db, "status")
    r.check(p.returncode == 0 and p.stdout == want_status.stdout,
            "C5 file: status works read-only (rc %d): %s" % (p.returncode, p.stderr))
    no_sanitizer(r, p, "status")
    p = amb(prefix, db, "rank", "--format", "json", "--limit", "10")
    r.check(p.returncode == 0 and p.stdout == want_rank.stdout,
            "C5 file: rank works read-only and equals the writable ranking (rc %d): %s" %
            (p.returncode, p.stderr))
    p = amb(prefix, db, "invitations", "list", "--format", "json", "--limit", "5")
    r.check(p.returncode == 0 and p.stdout == want_inv.stdout,
            "C5 file: invitations list works read-only (rc %d): %s" % (p.returncode, p.stderr))

    # Writes fail cleanly and change nothing.
    for args in (["import", "roster", roster], ["erase", person_id(3)],
                 ["invitations", "set", person_id(2), "invited"]):
        p = amb(prefix, db, *args)
        r.check(one_line(p, "read-only"),
                "C5 file: `%s` fails with one read-only line (rc %d): %r" %
                (" ".join(args[:2]), p.returncode, p.stderr))
        no_sanitizer(r, p, " ".join(args[:2]))
        print("    %s -> rc %d: %s" % (" ".join(args[:2]), p.returncode, p.stderr.strip()),
              flush=True)

    # serve on the read-only file.
    # The socket goes in a directory of the serving user's own (serve
    # refuses others); root's test client reaches it whatever its mode.
    sd = os.path.join(tmp, "rosock")
    os.mkdir(sd, 0o700)
    if prefix:
        os.chown(sd, NOBODY, NOBODY)
    ep = "ipc://%s/ro.sock" % sd
    srv = Server(db, ep, prefix=prefix, wait=False)
    try:
        up = srv.wait_ready(20)
        r.check(up, "C5 file: serve starts on a read-only file: %s" % srv.log()[-1000:])
        if up:
            rank = request(ep, {"op": "rank", "limit": 5}, timeout=5000)
            r.check(rank is not None and rank.get("ok") and
                    rank["items"][0]["employee_id"] == person_id(1),
                    "C5 serve: rank from the read-only file: %r" % (rank,))
            ex = request(ep, {"op": "explain", "employee_id": person_id(4)}, timeout=5000)
            r.check(ex is not None and ex.get("ok"), "C5 serve: explain: %r" % (ex,))
            inv = request(ep, {"op": "invitations", "limit": 3}, timeout=5000)
            r.check(inv is not None and inv.get("ok") and len(inv.get("items", [])) == 3,
                    "C5 serve: invitations: %r" % (inv,))
            st = request(ep, {"op": "invitation_status", "employee_id": person_id(2),
                              "status": "invited"}, timeout=5000)
            r.check(st is not None and not st.get("ok") and
                    st["error"]["code"] in ("unavailable", "internal"),
                    "C5 serve: invitation_status on a read-only file is an error reply: %r"
                    % (st,))
            print("    serve: invitation_status -> %r" % (st,), flush=True)
            again = request(ep, {"op": "rank", "limit": 1}, timeout=5000)
            r.check(again is not None and again.get("ok"),
                    "C5 serve: still serving after the failed write: %r" % (again,))
    finally:
        rc = srv.stop(signal.SIGTERM, timeout=15)
    log = srv.log()
    r.check(rc == 0, "C5 serve: exits 0 on SIGTERM (rc %r): %s" % (rc, log[-1000:]))
    audit_warn = sum(1 for x in log.splitlines() if "audit" in x)
    print("    serve on a read-only file: %d log lines about audit entries not written"
          % audit_warn, flush=True)

    os.chmod(db, 0o644)
    integrity, after = dump_digest(db)
    r.check(integrity == "ok", "C5 file: integrity_check %s" % integrity)
    r.check(after == before, "C5 file: the database changed")


def test_wal_in_read_only_directory(r, tmp, prefix):
    d = os.path.join(tmp, "rodir")
    os.mkdir(d)
    db = os.path.join(d, "ro.db")
    make_db(db, N)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    _, before = dump_digest(db)
    for suffix in ("-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    os.chmod(db, 0o444)
    os.chmod(d, 0o555)
    roster = os.path.join(tmp, "new2.csv")
    write_roster(roster)
    try:
        for args in (["status"], ["rank", "--limit", "3"], ["import", "roster", roster]):
            p = amb(prefix, db, *args)
            lines = [x for x in p.stderr.splitlines() if x.startswith("ambassador: ")]
            clean = p.returncode == 0 or (p.returncode > 0 and len(lines) == 1)
            r.check(clean, "C5 read-only dir: `%s` neither works nor fails with one line"
                    " (rc %d): %r" % (args[0], p.returncode, p.stderr))
            if args[0] == "import":
                r.check(p.returncode != 0, "C5 read-only dir: import succeeded")
            no_sanitizer(r, p, args[0])
            print("    read-only dir, WAL, no -shm: %s -> rc %d %s" %
                  (args[0], p.returncode, p.stderr.strip()[:160]), flush=True)
        r.check(not os.path.exists(db + "-wal") and not os.path.exists(db + "-shm"),
                "C5 read-only dir: -wal/-shm appeared in a read-only directory")
    finally:
        os.chmod(d, 0o755)
        os.chmod(db, 0o644)
    integrity, after = dump_digest(db)
    r.check(integrity == "ok" and after == before, "C5 read-only dir: database changed")


def test_read_only_option(r, tmp):
    d = os.path.join(tmp, "opt")
    os.mkdir(d)
    db = os.path.join(d, "o.db")
    make_db(db, N)
    roster = os.path.join(tmp, "new0.csv")
    write_roster(roster)
    want_status = amb([], db, "status")
    want_rank = amb([], db, "rank", "--format", "json", "--limit", "10")
    integrity, before = dump_digest(db)
    ro = ["--read-only"]
    p = subprocess.run([BINARY, "--read-only", "--db", db, "status"], capture_output=True,
                       text=True, timeout=60)
    r.check(p.returncode == 0 and p.stdout == want_status.stdout,
            "--read-only status equals the read-write one (rc %d): %s" % (p.returncode, p.stderr))
    p = subprocess.run([BINARY] + ro + ["--db", db, "rank", "--format", "json", "--limit", "10"],
                       capture_output=True, text=True, timeout=60)
    r.check(p.returncode == 0 and p.stdout == want_rank.stdout,
            "--read-only rank equals the read-write one (rc %d): %s" % (p.returncode, p.stderr))
    for args in (["import", "roster", roster], ["score"], ["erase", person_id(3)]):
        p = subprocess.run([BINARY] + ro + ["--db", db] + args, capture_output=True, text=True,
                           timeout=60)
        r.check(p.returncode != 0 and one_line(p, "read-only"),
                "--read-only `%s` fails with one read-only line (rc %d): %r" %
                (args[0], p.returncode, p.stderr))
        no_sanitizer(r, p, args[0])
    ep = "ipc://%s/opt.sock" % d
    srv = Server(db, ep, global_opts=ro + ["-v"], wait=False)
    try:
        up = srv.wait_ready(20)
        r.check(up, "serve --read-only starts: %s" % srv.log()[-1000:])
        if up:
            rank = request(ep, {"op": "rank", "limit": 5}, timeout=5000)
            r.check(rank is not None and rank.get("ok"), "serve --read-only: rank %r" % (rank,))
            st = request(ep, {"op": "invitation_status", "employee_id": person_id(2),
                              "status": "invited"}, timeout=5000)
            r.check(st is not None and not st.get("ok"),
                    "serve --read-only: invitation_status is an error reply: %r" % (st,))
    finally:
        rc = srv.stop(signal.SIGTERM, timeout=15)
    log = srv.log()
    r.check(rc == 0, "serve --read-only exits 0 on SIGTERM (rc %r): %s" % (rc, log[-1000:]))
    audit = [x for x in log.splitlines() if "audit: minute=" in x]
    r.check(any("op=rank" in x and "requests=" in x for x in audit) and
            any("op=invitation_status" in x for x in audit),
            "serve --read-only logs its audit rows (per minute, with requests): %r" % (audit,))
    r.check(not any("not written" in x for x in log.splitlines()),
            "serve --read-only: no 'entries not written' warnings")
    integrity2, after = dump_digest(db)
    r.check(integrity2 == "ok" and after == before, "--read-only: the database changed")


def test_uri_mode_ro(r, tmp):
    d = os.path.join(tmp, "uri")
    os.mkdir(d)
    db = os.path.join(d, "u.db")
    make_db(db, N)
    _, before = dump_digest(db)
    roster = os.path.join(tmp, "new3.csv")
    write_roster(roster)
    uri = "file:%s?mode=ro" % db
    p = amb([], uri, "status")
    if p.returncode == 0:
        r.check("%d people" % N in p.stdout, "C5 URI: status reads: %s" % p.stdout[:200])
        p = amb([], uri, "import", "roster", roster)
        r.check(one_line(p, "read-only"), "C5 URI: import must fail read-only: rc %d %r" %
                (p.returncode, p.stderr))
    else:
        lines = [x for x in p.stderr.splitlines() if x.startswith("ambassador: ")]
        r.check(p.returncode == 1 and len(lines) == 1,
                "C5 URI: refused, but not with one clean line: rc %d %r" %
                (p.returncode, p.stderr))
        print("    --db '%s' is refused: %s" % (uri.replace(tmp, "$TMP"),
                                                p.stderr.strip().replace(tmp, "$TMP")))
    r.check(not os.path.exists(os.path.join(d, os.path.basename(uri))),
            "C5 URI: a file named like the URI was created")
    integrity, after = dump_digest(db)
    r.check(integrity == "ok" and after == before, "C5 URI: database changed")


def main():
    r = Results()
    tmp = tempfile.mkdtemp(prefix="amb-ro-")
    os.chmod(tmp, 0o755)  # nobody must reach the files
    prefix = drop_prefix()
    try:
        if prefix is None:
            print("    running as root without setpriv: the file-mode cases cannot run")
            r.check(False, "setpriv missing (util-linux) while running as root")
        else:
            r.run(test_read_only_file, tmp, prefix)
            r.run(test_wal_in_read_only_directory, tmp, prefix)
        r.run(test_read_only_option, tmp)
        r.run(test_uri_mode_ro, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    r.finish()


if __name__ == "__main__":
    main()
