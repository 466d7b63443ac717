#!/usr/bin/python3
"""C1/C7 (docs/testing.md, section 'Faults, fuzzing and analysers'): kill -9 during an import, then recover.

A 200 000-row roster is imported into a database that already holds a small
roster. The import is SIGKILLed after a random 0-3 s delay (20 iterations,
50 with NIGHTLY=1), and at each fault point of the import frame's test hook
($AMB_FAULT in survey/import.c). After each kill:
  - `ambassador status` works within 5 s (hot-WAL recovery, C7);
  - PRAGMA integrity_check is ok;
  - the ordered dump equals the pre-import or the fully-imported dump;
  - the ledger row of the big roster is present iff its people are.
A re-import after a "before_commit" kill must succeed.

Environment: AMB_BINARY (required), NIGHTLY=1, CRASH_ROWS, CRASH_SEED.
Prints 'N passed, N failed'; exits non-zero on any failure.
"""
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

AMB = os.environ.get("AMB_BINARY")
if not AMB:
    sys.exit("AMB_BINARY must name the ambassador binary")
AMB = os.path.abspath(AMB)
ROWS = int(os.environ.get("CRASH_ROWS", "200000"))
ITERATIONS = 50 if os.environ.get("NIGHTLY") == "1" else 20
SEED = int(os.environ.get("CRASH_SEED", str(int(time.time()))))
# Fixed clock: two imports of the same file give byte-identical ledgers.
ENV = dict(os.environ, AMBASSADOR_NOW="2025-03-01T12:00:00Z")
for k in ("AMB_FAULT", "AMB_FAULT_ROW"):
    ENV.pop(k, None)

passed = failed = 0


def ok(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {name} {detail}", flush=True)


def write_roster(path, n, prefix="T"):
    """Synthetic people only: T0000001, "Synthetic Person 1", p1@example.invalid."""
    depts = ["Sales", "Finance", "Development", "Marketing", "Support", "Legal"]
    with open(path, "w", encoding="utf-8") as f:
        f.write("employee_id,name,email,department,level,consent\n")
        for i in range(1, n + 1):
            d = depts[i % len(depts)]
            f.write(f"{prefix}{i:07d},Synthetic Person {prefix}{i},{prefix}{i}@example.invalid,"
                    f"{d},employee,yes\n")


def dump_digest(path):
    """SHA-256 over an ordered dump of every table (the tu_db_digest rule)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
        h = hashlib.sha256()
        tables = con.execute(
            "SELECT name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
        for name, sql in tables:
            h.update(name.encode())
            h.update((sql or "").encode())
            if not sql or not sql.startswith("CREATE TABLE"):
                continue
            ncol = len(con.execute(f'SELECT * FROM "{name}" LIMIT 0').description)
            order = ",".join(str(c) for c in range(1, ncol + 1))
            for row in con.execute(f'SELECT * FROM "{name}" ORDER BY {order}'):
                h.update(repr(row).encode())
        big_ledger = con.execute(
            "SELECT count(*) FROM imports WHERE kind = 'roster' AND rows_read = ?", (ROWS,)
        ).fetchone()[0]
        big_people = con.execute(
            "SELECT count(*) FROM people WHERE employee_id LIKE 'T%'"
        ).fetchone()[0]
        return integrity, h.hexdigest(), big_ledger, big_people
    finally:
        con.close()


def run(args, db, timeout=None, env=ENV):
    return subprocess.run([AMB, "--db", db, "-q"] + args, env=env, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def check_state(name, db, pre, full, allowed):
    """Restart (status within 5 s), then the state must be one of `allowed`."""
    hot_wal = os.path.exists(db + "-wal") and os.path.getsize(db + "-wal") > 0
    t0 = time.monotonic()
    try:
        st = run(["status"], db, timeout=5)
        ok(f"{name}: status after the kill", st.returncode == 0,
           st.stderr.decode(errors="replace"))
    except subprocess.TimeoutExpired:
        ok(f"{name}: status within 5 s", False)
    took = time.monotonic() - t0
    integrity, digest, ledger, people = dump_digest(db)
    ok(f"{name}: integrity_check", integrity == "ok", integrity)
    state = "pre" if digest == pre else "full" if digest == full else "third"
    ok(f"{name}: dump is pre or full", state in allowed, f"got {state}, allowed {allowed}")
    ok(f"{name}: ledger row iff data", (ledger == 1) == (people == ROWS) and people in (0, ROWS),
       f"ledger={ledger} people={people}")
    return state, hot_wal, took


def main():
    global failed
    rng = random.Random(SEED)
    work = tempfile.mkdtemp(prefix="amb-crash-")
    try:
        os.chdir(work)
        big = os.path.join(work, "big.csv")
        small = os.path.join(work, "small.csv")
        write_roster(big, ROWS)
        write_roster(small, 50, prefix="S")  # pre-import state: 50 other people

        base = os.path.join(work, "base.db")
        ok("init", run(["init"], base).returncode == 0)
        ok("small roster", run(["import", "roster", small], base).returncode == 0)
        pre = dump_digest(base)[1]

        ref = os.path.join(work, "ref.db")
        shutil.copy(base, ref)
        t0 = time.monotonic()
        r = run(["import", "roster", big, "--allow-departures"], ref)
        import_s = time.monotonic() - t0
        ok("reference import", r.returncode == 0, r.stderr.decode(errors="replace"))
        full = dump_digest(ref)[1]
        print(f"seed {SEED}; {ROWS} rows import in {import_s:.2f} s", flush=True)

        def fresh(i):
            db = os.path.join(work, f"it{i}.db")
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.remove(db + suffix)
            shutil.copy(base, db)
            return db

        # Random kills.
        seen = {"pre": 0, "full": 0, "third": 0}
        hot = 0
        worst = 0.0
        for i in range(ITERATIONS):
            db = fresh(i)
            delay = rng.uniform(0, 3)
            p = subprocess.Popen([AMB, "--db", db, "-q", "import", "roster", big, "--allow-departures"], env=ENV,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                p.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGKILL)
                p.wait()
            state, was_hot, took = check_state(f"kill {i} after {delay:.2f} s", db, pre, full,
                                               ("pre", "full"))
            seen[state] += 1
            hot += was_hot
            worst = max(worst, took)
            os.remove(db)
            for suffix in ("-wal", "-shm"):
                if os.path.exists(db + suffix):
                    os.remove(db + suffix)
        print(f"random kills: {ITERATIONS} iterations, states {seen}, "
              f"{hot} left a hot WAL, slowest restart {worst:.2f} s", flush=True)

        # Fault points (the $AMB_FAULT hook in survey/import.c).
        points = [("after_begin", {}, ("pre",)), ("mid_insert", {"AMB_FAULT_ROW": "1000"}, ("pre",)),
                  ("mid_insert", {"AMB_FAULT_ROW": str(ROWS)}, ("pre",)),
                  ("before_commit", {}, ("pre",)), ("after_commit", {}, ("full",))]
        for point, extra, allowed in points:
            db = fresh(point)
            env = dict(ENV, AMB_FAULT=point, **extra)
            r = run(["import", "roster", big, "--allow-departures"], db, env=env)
            ok(f"{point} {extra}: killed by SIGKILL", r.returncode == -signal.SIGKILL,
               f"rc={r.returncode}")
            state, was_hot, took = check_state(f"{point} {extra}", db, pre, full, allowed)
            print(f"fault {point} {extra}: state {state}, hot WAL {was_hot}, "
                  f"restart {took:.2f} s", flush=True)
            if point == "before_commit":
                r = run(["import", "roster", big, "--allow-departures"], db)
                ok("re-import after a before_commit kill", r.returncode == 0,
                   r.stderr.decode(errors="replace"))
                ok("re-import gives the full state", dump_digest(db)[1] == full)
    finally:
        os.chdir("/")
        shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
