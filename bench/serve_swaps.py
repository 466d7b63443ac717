#!/usr/bin/python3
"""bench/serve_swaps.py - the server's memory when publications follow each
other: resident size after the first snapshot is loaded and after each of
--swaps swaps, on a synthetic published snapshot of --people people.

    /usr/bin/python3 bench/serve_swaps.py [--people 1000000] [--build build/release]
                                          [--swaps 6] [--data bench/data]

The database is bench/rank_top.py's (made with SQL, kept in --data), copied
once to swaps_<people>.db with a second snapshot of the same people, so
that publishing 2, 1, 2, ... makes the running server load a new snapshot
each time (the first load logs "serving on", every later one "serving snapshot N"). After each load the
resident size is read from /proc once it has stopped changing. Target
(docs/operations.md, 'Memory across publications'): after any number of
swaps under 1.3x the resident size with one snapshot loaded. Prints the
sizes, the ratio and MISSED for a missed target; exits non-zero only when
a command fails.
"""
import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import rank_top  # noqa: E402  (the synthetic snapshot)

SECOND = """
PRAGMA journal_mode=WAL;
BEGIN;
INSERT INTO snapshots(id, computed_at, as_of, profile, profile_version, params, people, eligible)
SELECT 2, computed_at + 1, as_of, profile, profile_version, params, people, eligible
FROM snapshots WHERE id = 1;
INSERT INTO snapshot_scores(snapshot_id, pid, eligible, rank, score, activity, attitude,
                            motivation, detail)
SELECT 2, pid, eligible, rank, score, activity, attitude, motivation, detail
FROM snapshot_scores WHERE snapshot_id = 1;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
"""


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def settled_rss(pid, quiet=2.0, limit=120.0):
    """The resident size once it has not changed by more than 1 % for `quiet` s."""
    start = time.time()
    last, since = rss_kib(pid), time.time()
    while time.time() - start < limit:
        time.sleep(0.25)
        now = rss_kib(pid)
        if abs(now - last) > last / 100:
            last, since = now, time.time()
        elif time.time() - since >= quiet:
            return now
    return rss_kib(pid)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, default=1000000)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(HERE), "build", "release"))
    ap.add_argument("--swaps", type=int, default=6)
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    a = ap.parse_args()
    amb = os.path.join(a.build, "ambassador")
    db = os.path.join(a.data, "swaps_%d.db" % a.people)
    if not os.path.exists(db + ".complete"):
        src = rank_top.make_db(amb, a.people, a.data)
        shutil.copyfile(src, db)
        subprocess.run(["sqlite3", db], input=SECOND, text=True, check=True,
                       stdout=subprocess.DEVNULL)
        open(db + ".complete", "w").close()
    con = sqlite3.connect(db, timeout=30)
    con.execute("INSERT INTO publications(snapshot_id, at, by) VALUES(1, 1700000002, 'bench')")
    con.commit()

    tmp = tempfile.mkdtemp(prefix="serve_swaps.")
    served = []
    cv = threading.Condition()
    srv = subprocess.Popen([amb, "-v", "--db", db, "serve", "--bind", "ipc://%s/s" % tmp,
                            "--poll-ms", "200"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def read_log():
        for line in srv.stderr:
            if "serving snapshot" in line or "serving on" in line:
                with cv:
                    served.append(line.strip())
                    cv.notify_all()

    threading.Thread(target=read_log, daemon=True).start()

    def wait_loads(n):
        with cv:
            if not cv.wait_for(lambda: len(served) >= n, timeout=300):
                srv.kill()
                sys.exit("bench/serve_swaps: the server did not load snapshot %d" % n)

    sizes = []
    try:
        wait_loads(1)
        sizes.append(settled_rss(srv.pid))
        for k in range(a.swaps):
            snap = 2 if k % 2 == 0 else 1
            con.execute("INSERT INTO publications(snapshot_id, at, by) VALUES(?, ?, 'bench')",
                        (snap, 1700000003 + k))
            con.commit()
            wait_loads(k + 2)
            sizes.append(settled_rss(srv.pid))
    finally:
        srv.terminate()
        srv.wait(timeout=60)
        shutil.rmtree(tmp, ignore_errors=True)
        con.execute("DELETE FROM publications WHERE by = 'bench' AND id > 1")
        con.commit()
        con.close()

    print("serve: %d people, %d swaps; resident size once each load settled" %
          (a.people, a.swaps))
    print("after the first load: %8.1f MiB" % (sizes[0] / 1024))
    for k, s in enumerate(sizes[1:], 1):
        print("after swap %-2d       %8.1f MiB  (%.2fx)" % (k, s / 1024, s / sizes[0]))
    worst = max(sizes[1:]) / sizes[0] if len(sizes) > 1 else 1.0
    print("largest after a swap / one snapshot: %.2fx; target < 1.3x: %s" %
          (worst, "met" if worst < 1.3 else "MISSED"))


if __name__ == "__main__":
    main()
