#!/usr/bin/python3
"""bench/rank_top.py - `rank --limit 20` on a published snapshot of many
people: time and peak memory against the sqlite3 shell reading the same 20
rows through the same index (the least any reader can do), alternated over
--rounds rounds on the same machine.

    /usr/bin/python3 bench/rank_top.py [--people 1000000] [--build build/release]
                                       [--rounds 3] [--data bench/data]

The database is synthetic (people, one published snapshot with a detail of
about 850 bytes a person, like a real one) and made once with SQL into
--data (rank_top_<people>.db, about 1.2 GB at a million); it is kept for
the next run. Targets (docs/testing.md, 'What is measured, against what'):
under 0.2 s and 64 MB at a million people. Prints the medians, the ratio to the
baseline and MISSED for a target missed; exits non-zero only when a command
fails.
"""
import argparse
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TIME = "/usr/bin/time"

FILL = """
PRAGMA journal_mode=WAL;
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < {n})
INSERT INTO people(pid, employee_id, name, email, department, level, consent, updated_at)
SELECT i, printf('E%07d', i), printf('Person %d', i), printf('p%d@example.test', i),
       printf('Dept %d', i % 40), CASE i % 4 WHEN 0 THEN 'manager' ELSE 'employee' END,
       CASE WHEN i % 50 = 0 THEN 'no' ELSE 'yes' END, 0 FROM c;
INSERT INTO snapshots(id, computed_at, as_of, profile, profile_version, params, people, eligible)
VALUES(1, 1700000001, 1700000000, 'default', 1, '{{}}', {n}, {k});
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < {n})
INSERT INTO snapshot_scores(snapshot_id, pid, eligible, rank, score, activity, attitude,
                            motivation, detail)
SELECT 1, i, i <= {k}, CASE WHEN i <= {k} THEN i END, 100.0 - i / 10000.0, 0.5, 0.6, 0.7,
       printf('{{"eligible":true,"pad":"%s"}}', hex(randomblob(400))) FROM c;
INSERT INTO publications(snapshot_id, at, by) VALUES(1, 1700000001, 'bench');
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
"""

BASELINE = ("SELECT p.employee_id, p.name, p.department, p.level, ss.rank, ss.score,"
            " ss.activity, ss.attitude, ss.motivation FROM snapshot_scores ss"
            " JOIN people p ON p.pid = ss.pid WHERE ss.snapshot_id = 1"
            " AND ss.rank IS NOT NULL ORDER BY ss.rank LIMIT 20;")


def timed(cmd):
    """(seconds, peak KiB) of one run of cmd; its output is discarded."""
    p = subprocess.run([TIME, "-f", "%e %M"] + cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("bench/rank_top: %s failed: %s" % (" ".join(cmd), p.stderr[-500:]))
    secs, kib = p.stderr.strip().splitlines()[-1].split()
    return float(secs), int(kib)


def make_db(binary, people, data):
    """The synthetic database of `people` people in `data`, made once."""
    os.makedirs(data, exist_ok=True)
    db = os.path.join(data, "rank_top_%d.db" % people)
    if not os.path.exists(db + ".complete"):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
        subprocess.run([binary, "--db", db, "-q", "init"], check=True)
        sql = FILL.format(n=people, k=people * 6 // 10)
        subprocess.run(["sqlite3", db], input=sql, text=True, check=True,
                       stdout=subprocess.DEVNULL)
        open(db + ".complete", "w").close()
    return db


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=1_000_000)
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    a = ap.parse_args()
    binary = os.path.join(a.build, "ambassador")
    if not os.access(binary, os.X_OK):
        sys.exit("bench/rank_top: no %s (cmake --preset release && cmake --build "
                 "--preset release)" % binary)
    db = make_db(binary, a.people, a.data)
    ours_cmd = [binary, "--db", db, "rank", "--limit", "20", "--format", "csv"]
    base_cmd = ["sqlite3", db, BASELINE]
    timed(ours_cmd)  # warm the page cache for both
    timed(base_cmd)
    ours, base = [], []
    for r in range(a.rounds):
        pair = [(ours, ours_cmd), (base, base_cmd)]
        for out, cmd in (pair if r % 2 == 0 else pair[::-1]):
            out.append(timed(cmd))
    ratios = [o[0] / b[0] if b[0] > 0 else float("nan") for o, b in zip(ours, base)]
    t = statistics.median(x[0] for x in ours)
    m = statistics.median(x[1] for x in ours) / 1024
    tb = statistics.median(x[0] for x in base)
    mb = statistics.median(x[1] for x in base) / 1024
    print("rank --limit 20 at %d people (%d rounds, medians):" % (a.people, a.rounds))
    print("  ambassador      %.3f s  %6.1f MiB" % (t, m))
    print("  sqlite3 shell   %.3f s  %6.1f MiB  (the same 20 rows through the same index)"
          % (tb, mb))
    print("  time ratio %.2fx (range %.2f-%.2f), memory ratio %.2fx" %
          (statistics.median(ratios), min(ratios), max(ratios), m / mb if mb else 0))
    if a.people >= 1_000_000:
        print("  target < 0.2 s: %s; target < 64 MiB: %s" %
              ("met" if t < 0.2 else "MISSED", "met" if m < 64 else "MISSED"))


if __name__ == "__main__":
    main()
