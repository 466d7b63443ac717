#!/usr/bin/env bash
# End to end: the real `ambassador` binary on real files: help, init,
# roster import, errors as one line with a non-zero exit, $AMBASSADOR_DB.
set -uo pipefail
AMB=${AMB_BINARY:?AMB_BINARY must name the ambassador binary}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
pass=0 fail=0
check() { # check NAME COMMAND...: the command must succeed
  local name=$1; shift
  if "$@" >"$work/out" 2>"$work/err"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $name"; cat "$work/out" "$work/err"; fi
}
refute() { # refute NAME COMMAND...: the command must fail with one stderr line
  local name=$1; shift
  if "$@" >"$work/out" 2>"$work/err"; then
    fail=$((fail + 1)); echo "FAIL (succeeded): $name"
  elif [ "$(grep '^ambassador: ' "$work/err" | grep -vc '^ambassador: \(warning\|info\|debug\): ')" -ne 1 ]; then
    fail=$((fail + 1)); echo "FAIL (not one reason line): $name"; cat "$work/err"
  else pass=$((pass + 1)); fi
}
expect() { # expect NAME PATTERN [out|err]: the last command's output matches
  if grep -q -- "$2" "$work/${3:-out}"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $1 (no '$2' in ${3:-out})"; cat "$work/out" "$work/err"; fi
}

check "top-level help lists init and import" bash -c "'$AMB' --help | grep -q '^  import ' && '$AMB' --help | grep -q '^  init '"
check "init --help explains" bash -c "'$AMB' init --help | grep -q 'usage: ambassador'"
check "import --help explains --skip-invalid" bash -c "'$AMB' import --help | grep -q -- '--skip-invalid'"
refute "unknown command" "$AMB" frobnicate
refute "status before init" "$AMB" status
check "init" "$AMB" init
check "init is idempotent" "$AMB" init
check "database is owner-only" bash -c "[ \"\$(stat -c %a ambassador.db)\" = 600 ]"

printf 'employee_id,name,department,level,consent,favourite colour\nE1,Ada,Sales,employee,yes,red\nE2,Bo,Finance,manager,\nE3,Cy,Sales,intern,no,blue\n' > r1.csv
# the row for E2 is short: the whole file must be rejected
refute "short row rejected" "$AMB" import roster r1.csv
expect "error names file:line" 'r1.csv:3:' err
printf 'employee_id,name,department,level,consent,favourite colour\nE1,Ada,Sales,employee,yes,red\nE2,Bo,Finance,manager,,\nE3,Cy,Sales,intern,no,blue\n' > r1.csv
check "roster import" "$AMB" import roster r1.csv
expect "summary line" 'r1.csv: 3 rows read, 3 kept, 0 rejected, 0 skipped'
expect "unknown column noticed" "favourite colour" err
check "status" "$AMB" status
expect "status counts" '3 people on the roster: 2 active'
check "same file again is a duplicate" "$AMB" import roster r1.csv
expect "duplicate said" 'already imported'
check "--force imports it again" "$AMB" import roster r1.csv --force
expect "forced import counted" 'r1.csv: 3 rows read, 3 kept'
printf 'employee_id,department\nE1, sales \nE2,Finance\nE3,SALES\n' > r1b.csv
check "departments differing in case and spaces" "$AMB" import roster r1b.csv
check "status after case-variant departments" "$AMB" status --format json
expect "one Sales department, two departments in all" '"departments":2}' 
printf 'employee_id,department\nE1,Sales\n' > r2.csv
refute "a roster that drops 2 of 3 people is refused" "$AMB" import roster r2.csv
expect "the refusal gives the count and the flag" 'mark 2 of 3 people (67%) as departed.*--allow-departures' err
check "status unchanged by the refused roster" "$AMB" status
expect "still 3 active" '3 people on the roster: 3 active'
check "newer roster with --allow-departures" "$AMB" import roster r2.csv --allow-departures
expect "departed marked" 'marked as departed: 2'
check "AMBASSADOR_DB is honoured" env AMBASSADOR_DB="$work/other.db" "$AMB" init
check "other db created" test -f "$work/other.db"
check "--db is honoured" "$AMB" --db "$work/third.db" init
refute "missing file" "$AMB" import roster nope.csv
refute "import without a kind" "$AMB" import
printf 'employee_id,department\nE1,Sa\xffles\n' > bad-utf8.csv
refute "invalid UTF-8" "$AMB" import roster bad-utf8.csv

# A failed import (storage full) prints no summary that looks like success.
/usr/bin/python3 -c 'import sys
print("employee_id,department")
for i in range(20000): print("F%06d,Dept %d" % (i, i % 9))' > big.csv
refute "storage full" env AMBASSADOR_MAX_PAGES=40 "$AMB" --db full.db import roster big.csv
expect "storage full said" 'storage full' err
if grep -q 'rows read' "$work/out"; then
  fail=$((fail + 1)); echo "FAIL: a failed import printed a summary"; cat "$work/out"
else pass=$((pass + 1)); fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
