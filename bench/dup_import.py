#!/usr/bin/python3
"""bench/dup_import.py - a roster imported a second time, unchanged: how long
`ambassador import roster` takes to say it is a duplicate, against reading
the file once (`sha256sum FILE`, the baseline) and against the first import,
alternated over --rounds rounds on the same machine.

    /usr/bin/python3 bench/dup_import.py [--people 1000000] [--build build/release]
                                         [--rounds 3] [--data bench/data]

The roster comes from bench/generate (--people, a few events; kept in
--data/dup_<people>/ for the next run). Each round imports it into a fresh
database, then imports the same file again, then runs the baseline. Target
(docs/operations.md, 'Large companies'): the duplicate is recognised in the
time it takes to read the file, i.e. within 1.5x of `sha256sum` plus the
program's start (opening the database). Prints the medians, the ratios and
MISSED for a missed target; exits non-zero only when a command fails.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TIME = "/usr/bin/time"


def timed(cmd, want=None):
    """(seconds, peak KiB, stdout) of one run of cmd."""
    p = subprocess.run([TIME, "-f", "%e %M"] + cmd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit("bench/dup_import: %s failed: %s" % (" ".join(cmd), p.stderr[-500:]))
    if want and want not in p.stdout:
        sys.exit("bench/dup_import: %s did not say %r: %s" % (" ".join(cmd), want, p.stdout))
    secs, kib = p.stderr.strip().splitlines()[-1].split()
    return float(secs), int(kib), p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--people", default="1000000")
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    a = ap.parse_args()
    amb = os.path.join(a.build, "ambassador")
    data = os.path.join(a.data, "dup_%s" % a.people)
    roster = os.path.join(data, "roster.csv")
    if not os.path.exists(roster):
        os.makedirs(data, exist_ok=True)
        subprocess.run([os.path.join(HERE, "generate"), "--people", a.people, "--events", "1000",
                        "--out", data, "--build", a.build], check=True,
                       stdout=subprocess.DEVNULL)
    size = os.path.getsize(roster)
    first, dup, base = [], [], []
    tmp = tempfile.mkdtemp(prefix="dup_import.")
    try:
        for r in range(a.rounds):
            db = os.path.join(tmp, "r%d.db" % r)
            subprocess.run([amb, "--db", db, "init"], check=True, stdout=subprocess.DEVNULL)
            first.append(timed([amb, "--db", db, "import", "roster", roster], "rows read"))
            dup.append(timed([amb, "--db", db, "import", "roster", roster], "no row was read"))
            base.append(timed(["sha256sum", roster]))
            os.remove(db)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    def med(xs, i):
        return statistics.median(x[i] for x in xs)

    print("roster: %s people, %.1f MB, %d rounds (medians)" % (a.people, size / 1e6, a.rounds))
    print("%-34s %8s %10s" % ("", "seconds", "peak MiB"))
    for name, xs in (("first import", first), ("the same file again (duplicate)", dup),
                     ("sha256sum (baseline)", base)):
        print("%-34s %8.2f %10.1f" % (name, med(xs, 0), med(xs, 1) / 1024))
    ratio = med(dup, 0) / max(med(base, 0), 0.01)
    print("duplicate / sha256sum: %.2fx; duplicate / first import: %.3fx" %
          (ratio, med(dup, 0) / max(med(first, 0), 0.01)))
    # start-up (opening and checking the database) is not reading the file
    print("target: within 1.5x of sha256sum + 0.1 s: %s" %
          ("met" if med(dup, 0) <= 1.5 * med(base, 0) + 0.1 else "MISSED"))


if __name__ == "__main__":
    main()
