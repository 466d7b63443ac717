#!/usr/bin/env bash
# Scoring through the real binary on the samples: `weights preview` writes
# nothing (ordered dump identical before and after), and `explain` shows no
# department percentile for a department smaller than the minimum group
# size (5) while it does for a large one.
set -uo pipefail
AMB=${AMB_BINARY:?AMB_BINARY must name the ambassador binary}
SRC=${AMB_SOURCE_DIR:?AMB_SOURCE_DIR must name the source tree}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export AMBASSADOR_NOW=2026-11-20T00:00:00Z
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
dump() { sqlite3 ambassador.db .dump | sha256sum; }

s="$SRC/samples"
"$AMB" -q import roster "$s/roster.csv" >/dev/null &&
  "$AMB" -q import survey "$s/survey_msforms.csv" --codebook "$s/codebook.csv" >/dev/null &&
  "$AMB" -q import activity "$s/activity.csv" >/dev/null &&
  "$AMB" -q score >/dev/null && ok || bad "sample pipeline"

before=$(dump)
"$AMB" weights preview w_attitude=0.5 >preview.out 2>&1 && ok || bad "preview: $(cat preview.out)"
grep -q "Kendall" preview.out && ok || bad "preview shows no rank correlation"
[ "$(dump)" = "$before" ] && ok || bad "weights preview changed the database"

# Move three eligible people into a department of their own (a roster
# re-import keeps their answers and activity), then score again.
"$AMB" rank --format csv --limit 1000 >rank.csv || bad "rank"
small=$(tail -n +2 rank.csv | head -3 | cut -d, -f2 | tr '\n' ' ')
/usr/bin/python3 - "$s/roster.csv" "$small" >roster2.csv <<'PYEOF'
import csv, sys
movers = set(sys.argv[2].split())
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8")))
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(rows[0])
dept = rows[0].index("department")
for r in rows[1:]:
    if r[0] in movers:
        r[dept] = "Legal"
    w.writerow(r)
PYEOF
"$AMB" -q import roster roster2.csv >/dev/null && "$AMB" -q score >/dev/null && ok || bad "re-score"
first=${small%% *}
"$AMB" explain "$first" >small.out 2>&1 || bad "explain $first: $(cat small.out)"
grep -q "department too small to compare" small.out && ok || bad "small department shown: $(cat small.out)"
big=$(tail -n +5 rank.csv | awk -F, '$4 == "Development" {print $2; exit}')
[ -n "$big" ] || big=$(grep -m1 ',Development,' "$s/roster.csv" | cut -d, -f1)
"$AMB" explain "$big" >big.out 2>&1 || bad "explain $big"
grep -q "in Development" big.out && ok || bad "large department has no percentile column"
grep -q "department too small" big.out && bad "large department suppressed" || ok

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
