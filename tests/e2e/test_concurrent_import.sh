#!/usr/bin/env bash
# B5: two processes import different activity files (50k rows each) into one
# database at the same time, 3 rounds. Each must succeed, or exit 1 with one
# clean stderr line containing "busy"; the stored event total must equal the
# sum of the "K kept" figures of the successful imports (never partial or
# interleaved data); PRAGMA integrity_check stays ok. (Complements
# test_concurrent_imports.sh: larger files, exit code 1 required, totals
# taken from each import's own summary line rather than assumed.)
set -uo pipefail
AMB=${AMB_BINARY:?AMB_BINARY must name the ambassador binary}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export AMBASSADOR_NOW=2026-11-20T00:00:00Z
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

/usr/bin/python3 - <<'PYEOF'
import random
random.seed(11)
with open("roster.csv", "w") as f:
    f.write("employee_id,department,consent\n")
    for i in range(200):
        f.write("P%04d,Dept%d,yes\n" % (i, i % 6))
for name, month in (("one.csv", 4), ("two.csv", 9)):
    with open(name, "w") as f:
        f.write("employee_id,occurred_at,platform,kind,post_id\n")
        for i in range(50000):
            kind = ("post", "comment", "reshare")[i % 3]
            f.write("P%04d,2026-%02d-%02dT%02d:%02d:00Z,linkedin,%s,%s-%d\n"
                    % (random.randrange(200), month, 1 + i % 28, i % 24, i % 60, kind, name, i))
PYEOF

for round in 1 2 3; do
  db="c$round.db"
  "$AMB" --db "$db" -q import roster roster.csv >/dev/null 2>&1 || bad "round $round: roster import"
  "$AMB" --db "$db" import activity --no-progress one.csv >one.out 2>one.err &
  p1=$!
  "$AMB" --db "$db" import activity --no-progress two.csv >two.out 2>two.err &
  p2=$!
  wait $p1; r1=$?
  wait $p2; r2=$?
  expected=0 succeeded=0
  for side in one two; do
    r=$r1; [ $side = two ] && r=$r2
    if [ "$r" -eq 0 ]; then
      kept=$(sed -n 's/.* \([0-9][0-9]*\) kept,.*/\1/p' $side.out | head -1)
      if [ -n "$kept" ] && [ "$kept" -gt 0 ]; then
        ok; expected=$((expected + kept)); succeeded=$((succeeded + 1))
      else bad "round $round: $side succeeded without a 'N kept' summary: $(cat $side.out)"; fi
    elif [ "$r" -eq 1 ] && grep -qi 'busy' $side.err &&
         [ "$(grep -vc '^ambassador: \(warning\|info\|debug\): ' $side.err)" -eq 1 ] &&
         ! grep -q 'rows read' $side.out; then
      ok
    else
      bad "round $round: $side exit $r without one clean busy line: $(head -3 $side.err)"
    fi
  done
  [ "$succeeded" -ge 1 ] && ok || bad "round $round: neither import succeeded"
  got=$(sqlite3 "$db" "select coalesce(sum(events), 0) from activity_weekly")
  [ "$got" = "$expected" ] && ok || bad "round $round: $got events stored, expected $expected (r1=$r1 r2=$r2)"
  [ "$(sqlite3 "$db" "PRAGMA integrity_check")" = ok ] && ok || bad "round $round: integrity_check"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
