#!/usr/bin/python3
"""gen_activity.py - deterministic synthetic roster + activity export.

Writes OUT/roster.csv (N people, synthetic ids E0000001..) and
OUT/events.csv (M events, time-ordered, skewed: a few people post a lot,
most rarely). About 80 % of events carry a post_id; the rest are
de-duplicated by their whole row. Same arguments, same bytes.

    /usr/bin/python3 bench/gen_activity.py --people 100000 --events 10000000 \
        --out /tmp/act [--start 2024-11-04] [--weeks 104] [--seed 20240101] \
        [--dup-rate 0.0]

--dup-rate repeats that share of lines (a repeated event line, test plan B4).
Only synthetic data: ids, no names.
"""
import argparse
import datetime as dt
import os
import random

PLATFORMS = ["linkedin"] * 6 + ["instagram"] * 3 + ["facebook"] * 2 + [
    "tiktok", "x", "x", "intranet", "intranet", "mastodon"]
KINDS = ["post"] * 3 + ["article", "video"] + ["comment"] * 4 + ["reshare"] * 3 + \
    ["reaction"] * 6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=1000)
    ap.add_argument("--events", type=int, default=100000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--start", default="2024-11-04")
    ap.add_argument("--weeks", type=int, default=104)
    ap.add_argument("--seed", type=int, default=20240101)
    ap.add_argument("--dup-rate", type=float, default=0.0)
    ap.add_argument("--no-roster", action="store_true")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    depts = ["Development", "Sales", "Finance", "HR", "Support", "Marketing",
             "Operations", "Legal", "Research", "Logistics", "IT", "Design"]
    levels = ["intern", "student", "employee", "employee", "employee", "manager", "partner"]
    ids = ["E%07d" % (i + 1) for i in range(a.people)]
    if not a.no_roster:
        with open(os.path.join(a.out, "roster.csv"), "w", newline="") as f:
            f.write("employee_id,department,level,consent\n")
            for i, e in enumerate(ids):
                consent = "no" if i % 50 == 7 else ("yes" if i % 3 else "")
                f.write("%s,%s,%s,%s\n" % (e, depts[i % len(depts)],
                                           levels[rnd.randrange(len(levels))], consent))
    # Skew: weight ~ 1/rank^0.8 over a shuffled order of people.
    order = ids[:]
    rnd.shuffle(order)
    weights = [1.0 / (r + 1) ** 0.8 for r in range(len(order))]
    start = dt.datetime.fromisoformat(a.start).replace(tzinfo=dt.timezone.utc)
    span = a.weeks * 7 * 86400
    base = int(start.timestamp())
    # Time-ordered: event i at base + i * span / M (+ jitter inside its slot).
    who = rnd.choices(order, weights=weights, k=a.events)
    step = span / max(a.events, 1)
    post_seq = 0
    with open(os.path.join(a.out, "events.csv"), "w", newline="") as f:
        w = f.write
        w("employee_id,occurred_at,platform,kind,origin,post_id,reach,reactions,"
          "comments,shares,clicks\n")
        rr = rnd.random
        ri = rnd.randrange
        for i in range(a.events):
            t = base + int(i * step + rr() * step)
            ts = dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            plat = PLATFORMS[ri(len(PLATFORMS))]
            kind = KINDS[ri(len(KINDS))]
            origin = "suggested" if rr() < 0.15 else ("original" if rr() < 0.5 else "")
            post_seq += 1
            post = "p%d" % post_seq if rr() < 0.8 else ""
            if kind in ("post", "article", "video"):
                reach = ri(20, 5000)
                line = "%s,%s,%s,%s,%s,%s,%d,%d,%d,%d,%d\n" % (
                    who[i], ts, plat, kind, origin, post, reach, ri(0, reach // 10 + 1),
                    ri(0, 20), ri(0, 10), ri(0, 50))
            else:
                line = "%s,%s,%s,%s,%s,%s,,,,,\n" % (who[i], ts, plat, kind, origin, post)
            w(line)
            if a.dup_rate and rr() < a.dup_rate:
                w(line)


if __name__ == "__main__":
    main()
