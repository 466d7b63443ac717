#!/usr/bin/env bash
# Privacy of logs and storage (docs/testing.md, section 'Faults, fuzzing and analysers', case J7 and J4):
#  J7 every command of a full run (imports, score, rank, candidates, serve
#     with requests, erase, a rejected file, a crash-recovery restart) run with
#     -v: no name or e-mail address of samples/roster.csv appears in anything
#     written to stderr, nor in the audit log (table and `audit` output);
#  J4 an MS Forms export with Email, Name, Start time and a free-text column:
#     no survey table has a name or e-mail column, and no free-text answer
#     appears anywhere in the database.
# Needs AMB_BINARY, AMB_SOURCE_DIR, the sqlite3 CLI and /usr/bin/python3.
set -uo pipefail
AMB=$(readlink -f "${AMB_BINARY:?AMB_BINARY must name the ambassador binary}")
SRC=$(readlink -f "${AMB_SOURCE_DIR:?AMB_SOURCE_DIR must name the repository}")
S=$SRC/samples
[ -f "$S/roster.csv" ] || { echo "samples/roster.csv missing"; exit 1; }
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
pass=0 fail=0
ok() {
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi
}
mkdir logs
n=0
amb() { # amb ARGS...: run with -v, stderr kept in logs/
  n=$((n + 1))
  "$AMB" -v "$@" >>stdout.txt 2>"logs/$n-$1.err"
}

# Names and e-mail addresses of the sample people, one fixed string a line.
/usr/bin/python3 - "$S/roster.csv" >needles.txt <<'EOF'
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig") as f:
    for row in csv.DictReader(f):
        for key in ("name", "email"):
            if row.get(key):
                print(row[key])
EOF
ok "needles from the sample roster" [ "$(wc -l <needles.txt)" -ge 100 ]

amb init
amb import roster "$S/roster.csv"
ok "roster imported" grep -q 'rows read' stdout.txt
[ -f "$S/survey_msforms.csv" ] && amb import survey "$S/survey_msforms.csv" --codebook "$S/codebook.csv"
[ -f "$S/activity.csv" ] && amb import activity "$S/activity.csv"
amb status
amb score
amb rank
amb candidates --size 12
amb explain E0002
# Rejected files: an unknown column value and a duplicate row.
head -3 "$S/roster.csv" >dup.csv && sed -n 2p "$S/roster.csv" >>dup.csv
amb import roster dup.csv
sed '3s/,yes$/,maybe/' "$S/roster.csv" >badconsent.csv
amb import roster badconsent.csv
# The service, with a few requests, stopped with SIGTERM.
"$AMB" -v serve --bind "ipc://$work/s.sock" 2>logs/serve.err &
server=$!
sleep 1
for r in '{"op":"ping"}' '{"op":"rank","limit":5}' '{"op":"invitations","limit":5}' \
  '{"op":"explain","employee_id":"E0002"}' '{"op":"explain","employee_id":"nobody"}' \
  '{"op":"nonsense","name":"x"}'; do
  "$AMB" query "$r" --connect "ipc://$work/s.sock" --timeout 2000 >>stdout.txt 2>>logs/query.err
done
kill -TERM "$server" && wait "$server"
server=
amb audit
"$AMB" -v audit >audit.txt 2>>logs/audit2.err
amb erase E0003
# A crash and the restart after it (recovery is logged at -v too).
AMB_FAULT=after_commit "$AMB" -v import roster dup.csv >/dev/null 2>logs/crash.err
amb status

cat logs/* >all-stderr.txt
# Control: the same grep does find the people in the wanted output (stdout).
ok "control: names are found in stdout" grep -q -F -f needles.txt stdout.txt
hits=$(grep -c -F -i -f needles.txt all-stderr.txt)
ok "no name or e-mail in $(wc -l <all-stderr.txt) stderr lines" [ "$hits" -eq 0 ]
[ "$hits" -eq 0 ] || grep -F -i -f needles.txt all-stderr.txt | head -5
ok "audit output holds no name or e-mail" bash -c "! grep -q -F -i -f needles.txt audit.txt"
ok "audit output is there" grep -q 'rank' audit.txt
sqlite3 ambassador.db 'SELECT * FROM audit_log' >audit_table.txt 2>/dev/null
ok "audit_log table holds no name or e-mail" bash -c "! grep -q -F -i -f needles.txt audit_table.txt"
ok "the stderr logs were written" [ -s logs/serve.err ]

# J4: minimisation of the MS Forms export.
if [ -f "$S/survey_msforms.csv" ]; then
  /usr/bin/python3 - "$S/survey_msforms.csv" >freetext.txt <<'EOF'
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig") as f:
    rows = list(csv.reader(f))
header = rows[0]
col = header.index("Anything else you want to tell us?")
for r in rows[1:]:
    if len(r) > col and len(r[col].strip()) >= 8:
        print(r[col].strip())
EOF
  sqlite3 ambassador.db .dump >dump.sql
  ok "free-text answers exist in the sample" [ -s freetext.txt ]
  ok "no free-text answer is stored" bash -c "! grep -q -F -f freetext.txt dump.sql"
  cols=$(for t in $(sqlite3 ambassador.db "SELECT name FROM sqlite_schema WHERE type='table' AND name LIKE 'survey%'"); do
    sqlite3 ambassador.db "SELECT name FROM pragma_table_info('$t')"; done)
  ok "survey tables have no name or e-mail column" bash -c "! grep -q -i -x -e name -e email -e 'start time' <<<'$cols'"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
