#!/usr/bin/env bash
# Two imports of different files into one database at the same time (two
# processes): they are serialised by BEGIN IMMEDIATE and the busy timeout.
# Each either succeeds or fails with a clean "busy" line; the stored totals
# equal exactly the successful imports, never a mix; integrity stays ok.
set -uo pipefail
AMB=${AMB_BINARY:?AMB_BINARY must name the ambassador binary}
PY=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export AMBASSADOR_NOW=2026-11-20T00:00:00Z
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

$PY - <<'PYEOF'
import random
random.seed(5)
with open("roster.csv", "w") as f:
    f.write("employee_id,department,consent\n")
    for i in range(200):
        f.write("C%04d,D%d,yes\n" % (i, i % 7))
for name, month in (("a.csv", 5), ("b.csv", 8)):
    with open(name, "w") as f:
        f.write("employee_id,occurred_at,platform,kind,post_id\n")
        for i in range(40000):
            f.write("C%04d,2026-%02d-%02dT10:%02d:00Z,linkedin,post,%s-%d\n"
                    % (random.randrange(200), month, 1 + i % 28, i % 60, name, i))
PYEOF

for round in 1 2 3; do
  db="r$round.db"
  "$AMB" --db "$db" -q import roster roster.csv >/dev/null || bad "roster import"
  "$AMB" --db "$db" import activity --no-progress a.csv >a.out 2>a.err &
  pa=$!
  "$AMB" --db "$db" import activity --no-progress b.csv >b.out 2>b.err &
  pb=$!
  wait $pa; ra=$?
  wait $pb; rb=$?
  expected=0
  for side in a b; do
    r=$ra; [ $side = b ] && r=$rb
    if [ "$r" -eq 0 ]; then
      expected=$((expected + 40000))
      grep -q "40000 kept" $side.out && ok || bad "round $round: $side summary: $(cat $side.out)"
    elif grep -q "busy" $side.err && [ "$(grep -vc '^ambassador: \(warning\|info\)' $side.err)" -eq 1 ]; then
      ok
    else
      bad "round $round: $side failed without a clean busy line: $(cat $side.err)"
    fi
  done
  got=$(sqlite3 "$db" "SELECT coalesce(sum(events), 0) FROM activity_weekly")
  [ "$got" = "$expected" ] && ok || bad "round $round: $got events stored, expected $expected"
  ledger=$(sqlite3 "$db" "SELECT count(*) FROM imports WHERE kind = 'activity'")
  [ "$ledger" = "$((expected / 40000))" ] && ok || bad "round $round: $ledger ledger rows"
  [ "$(sqlite3 "$db" "PRAGMA integrity_check")" = ok ] && ok || bad "round $round: integrity"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
