#!/usr/bin/env bash
# End to end: `weights preview` computes in memory and writes nothing: the
# full SQL dump of the database is byte-identical before and after, both
# with a saved profile and snapshot and with none yet.
set -uo pipefail
AMB=${AMB_BINARY:?AMB_BINARY must name the ambassador binary}
SRC=${AMB_SOURCE_DIR:?AMB_SOURCE_DIR must name the source tree}
export AMBASSADOR_NOW=2026-11-20T00:00:00Z
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
pass=0 fail=0
check() { # check NAME COMMAND...: the command must succeed
  local name=$1; shift
  if "$@" >"$work/out" 2>"$work/err"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $name"; cat "$work/out" "$work/err"; fi
}
same() { # same NAME BEFORE AFTER
  if [ "$2" = "$3" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $1 (dump changed: $2 -> $3)"; fi
}
dump() { sqlite3 "$1" .dump | sha256sum; }

db=$work/p.db
check "init" "$AMB" --db "$db" init
check "roster" "$AMB" --db "$db" import roster "$SRC/samples/roster.csv"
check "survey" "$AMB" --db "$db" import survey "$SRC/samples/survey_msforms.csv" --codebook "$SRC/samples/codebook.csv"
check "activity" "$AMB" --db "$db" import activity "$SRC/samples/activity.csv"

# before any score or saved profile: preview must not create profile v1
before=$(dump "$db")
check "preview without a snapshot" "$AMB" --db "$db" weights preview w_attitude=0.5
after=$(dump "$db")
same "preview without a snapshot writes nothing" "$before" "$after"

check "score" "$AMB" --db "$db" score
before=$(dump "$db")
check "preview" "$AMB" --db "$db" weights preview w_attitude=0.5
grep -q 'Nothing was saved' "$work/out" && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: preview printed no table"; cat "$work/out"; }
check "preview, several keys, --top" "$AMB" --db "$db" weights preview w_attitude=0.5 w_volume=0.9 --top 5
after=$(dump "$db")
same "preview after score writes nothing" "$before" "$after"
check "integrity" bash -c "[ \"\$(sqlite3 '$db' 'PRAGMA integrity_check')\" = ok ]"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
