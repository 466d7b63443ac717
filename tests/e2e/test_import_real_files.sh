#!/usr/bin/env bash
# End to end: the importers on files as real tools and European HR staff
# make them (docs/imports.md runs every command shown here): day-first and
# ambiguous dates, "don't know" answers, Windows-1252 and ';'-separated
# files, header rows read as data, an import that scores nobody.
set -uo pipefail
AMB=${AMB_BINARY:?AMB_BINARY must name the ambassador binary}
S=${AMB_SOURCE_DIR:?AMB_SOURCE_DIR must name the source tree}/samples
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export AMBASSADOR_DB="$work/a.db" AMBASSADOR_NOW=2026-11-01T12:00:00Z
pass=0 fail=0
check() { # check NAME COMMAND...: the command must succeed
  local name=$1; shift
  if "$@" >"$work/out" 2>"$work/err"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $name"; cat "$work/out" "$work/err"; fi
}
refute() { # refute NAME COMMAND...: the command must fail
  local name=$1; shift
  if "$@" >"$work/out" 2>"$work/err"; then
    fail=$((fail + 1)); echo "FAIL (succeeded): $name"; cat "$work/out"
  else pass=$((pass + 1)); fi
}
expect() { # expect NAME PATTERN [out|err]: the last command's output matches
  if grep -q -- "$2" "$work/${3:-out}"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $1 (no '$2' in ${3:-out})"; cat "$work/out" "$work/err"; fi
}
count() { /usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$AMBASSADOR_DB" "$1"; }

check "init" "$AMB" init
check "roster" "$AMB" import roster "$S/roster.csv"

# --- dates -------------------------------------------------------------------
check "Danish Forms export: order inferred" "$AMB" import survey "$S/survey_msforms_da.csv" --codebook "$S/codebook.csv"
expect "the order is reported" 'dates dmy (inferred from the file)'
expect "don't know counted" "\"don't know\" answers, counted as missing: 5"
[ "$(count "SELECT COUNT(*) FROM survey_responses r JOIN people p USING(pid) WHERE p.employee_id = 'E0074' AND r.submitted_at = strftime('%s','2026-03-09 07:30:28')")" = 1 ] \
  && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: 09-03-2026 7:30:28 stored as 9 March"; }

head -3 "$S/survey_msforms_da.csv" > first_day.csv   # every date 09-03-2026: ambiguous
refute "all-ambiguous dates refused" "$AMB" import survey first_day.csv --codebook "$S/codebook.csv"
expect "names a row" 'first_day.csv:2:' err
expect "names the flag" '--date-order dmy or --date-order mdy' err
check "--date-order dmy reads them" "$AMB" import survey first_day.csv --codebook "$S/codebook.csv" --date-order dmy
expect "order from the option" 'dates dmy (--date-order)'
refute "bad --date-order" "$AMB" import survey first_day.csv --codebook "$S/codebook.csv" --date-order dym
expect "usage names the values" 'dmy, mdy or ymd' err

printf 'emp,when,q1,q2,q3\nE0001,09/10/2024,4,4,4\nE0002,14/10/2024,3,3,3\n' > dayfirst.csv
printf 'column,construct,min,max,reverse,missing\nemp,id,,,,\nwhen,submitted_at,,,,\nq1,a,1,5,no,-1;-2\nq2,a,1,5,no,\nq3,a,1,5,no,\n' > small_codebook.csv
check "09/10/2024 next to 14/10/2024" "$AMB" import survey dayfirst.csv --codebook small_codebook.csv
[ "$(count "SELECT date(submitted_at,'unixepoch') FROM survey_responses r JOIN people p USING(pid) WHERE p.employee_id = 'E0001'")" = 2024-10-09 ] \
  && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: 09/10/2024 is not 9 October"; }
printf 'emp,when,q1,q2,q3\nE0003,09/10/2024,4,4,4\n' > ambiguous.csv
refute "standard input: an ambiguous row is rejected" bash -c "'$AMB' import survey - --codebook small_codebook.csv < ambiguous.csv"
expect "names the flag" 'could be day-first or month-first; add --date-order' err
printf 'emp,when,q1,q2,q3\nE0001,14/10/2024,4,4,4\nE0002,10/15/2024,3,3,3\n' > mixed.csv
refute "mixed orders refused" "$AMB" import survey mixed.csv --codebook small_codebook.csv
expect "mixed names both" 'dates are mixed' err

# --- don't know ------------------------------------------------------------------
printf 'emp,when,q1,q2,q3\nE0003,,-1,Ved ikke,Enig\nE0004,,5 - Strongly agree,Weet niet,Kan ikke svare\n' > dontknow.csv
printf 'label,value\nKan ikke svare,\n' > labels.csv
check "don't know is missing" "$AMB" import survey dontknow.csv --codebook small_codebook.csv --labels labels.csv
expect "counted" "counted as missing: 4"

# --- layouts ---------------------------------------------------------------------------
refute "header row read as data" "$AMB" import survey "$S/survey_qualtrics.csv" --codebook "$S/codebook_qualtrics.csv" --header-rows 1
expect "says so" 'reads like a header row' err
printf 'emp,when,q1,q2,q3,q1 - Agree\nE0006,,,,,1\n' > choices.csv
refute "nobody scored" "$AMB" import survey choices.csv --codebook small_codebook.csv
expect "says nobody" 'nobody was scored' err

# --- Excel's CSV: a survey ------------------------------------------------------
printf 'emp;when;q1;q2;q3\nE0005;2026-03-09;3,5;4;4\n' > survey_semicolon.csv
check "';' survey with a decimal comma" "$AMB" import survey survey_semicolon.csv --codebook small_codebook.csv
[ "$(count "SELECT value FROM survey_answers a JOIN people p USING(pid) WHERE p.employee_id = 'E0005' AND item = 'q1'")" = 3.5 ] \
  && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: 3,5 is not 3.5"; }


# --- Excel's CSV (a roster of its own: a roster import replaces the roster) -------
export AMBASSADOR_DB="$work/excel.db"
check "init excel" "$AMB" init
printf 'employee_id;name;department;level;consent\nE0201;S\xf8ren Kj\xe6r;Salg;employee;yes\n' > roster_excel.csv
refute "cp1252 refused with a hint" "$AMB" import roster roster_excel.csv
expect "names the option" '--encoding cp1252' err
check "--encoding cp1252 and ';' detected" "$AMB" import roster roster_excel.csv --encoding cp1252
[ "$(count "SELECT name FROM people WHERE employee_id = 'E0201'")" = "Søren Kjær" ] \
  && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: name not converted"; }
# --- rosters from HR systems ---------------------------------------------------------
export AMBASSADOR_DB="$work/hr.db"
check "init hr" "$AMB" init
printf 'Personnel number,Full Name,Work Email,Org Unit,Job Level\nP1,Ada Holm,ada@example.com,Sales,Senior\nP2,Bo Lind,bo@example.com,Finance,Junior\n' > hr_export.csv
check "HR header names recognised" "$AMB" import roster hr_export.csv
printf 'Emp,Cost Center name,Division\nP1,Sales,Nordic\nP2,Finance,Benelux\n' > hr_division.csv
refute "no employee_id column" "$AMB" import roster hr_division.csv
expect "suggests --map" '--map employee_id=' err
check "--map" "$AMB" import roster hr_division.csv --map employee_id=Emp,department=Division
printf 'Emp,Cost Center name,Division\nP1,Sales,Nordic\nP2,Finance,Nordic\n' > hr_division_next.csv
check "the stored map is used again" "$AMB" import roster hr_division_next.csv
expect "says so" 'columns mapped as stored by an earlier --map'
[ "$(count "SELECT COUNT(*) FROM people WHERE department = 'Nordic'")" = 2 ] \
  && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL: stored map not applied"; }
refute "--map outside roster" "$AMB" import activity hr_division.csv --map employee_id=Emp
# --- activity from Viva Engage and LinkedIn (the samples) --------------------------
export AMBASSADOR_DB="$work/sources.db"
check "init sources" "$AMB" init
check "roster for sources" "$AMB" import roster "$S/roster.csv"
check "Viva Engage report" "$AMB" import activity --source viva-engage "$S/viva_engage_weekly.csv"
expect "users off the roster counted" 'not on the roster: 2'
check "LinkedIn archive folder" "$AMB" import activity --source linkedin-export "$S/linkedin_archive" --employee E0002
expect "all its rows kept" '8 rows read, 8 kept'
refute "--employee missing" "$AMB" import activity --source linkedin-export "$S/linkedin_archive"
expect "says --employee is needed" 'needs --employee ID' err

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
