#!/usr/bin/env bash
# Storage faults against the real binary (docs/testing.md, section 'Faults, fuzzing and analysers', case C3-C6):
#  C3 disk full, made deterministic with the store's test hook
#     $AMBASSADOR_MAX_PAGES (PRAGMA max_page_count): the import fails with one
#     "storage full" line, the DB is unchanged, reads go on, and the same file
#     imports once the cap is gone;
#  C4 write errors from RLIMIT_FSIZE (`ulimit -f`, SIGXFSZ ignored so write()
#     returns EFBIG) at several sizes: never a crash, the exit status agrees
#     with the state (failure = unchanged, success = fully imported);
#  C5 a read-only file (only when not root: chmod does not bind root; the
#     store-level test is tests/core/test_faults.c);
#  C6 a damaged page: a clean one-line "damaged" error, never a crash; serve
#     refuses to start on the damaged file.
# Needs AMB_BINARY and the sqlite3 CLI (scripts/deps.sh installs it).
set -uo pipefail
AMB=$(readlink -f "${AMB_BINARY:?AMB_BINARY must name the ambassador binary}")
command -v sqlite3 >/dev/null || { echo "sqlite3 CLI missing (scripts/deps.sh)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
pass=0 fail=0
ok() { # ok NAME CONDITION-COMMAND...
  local name=$1; shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; cat "$work/out" "$work/err" 2>/dev/null | head -20; fi
}
# A dump that does not depend on storage order, plus integrity_check.
digest() {
  local db=$1
  [ "$(sqlite3 "$db" 'PRAGMA integrity_check')" = ok ] || { echo "integrity-failed"; return; }
  sqlite3 "$db" "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name" |
    while read -r t; do echo "== $t"; sqlite3 "$db" "SELECT * FROM \"$t\"" | LC_ALL=C sort; done |
    sha256sum | cut -c1-64
}
one_line() { # the failed command printed exactly one "ambassador:" reason matching $1
  [ "$(grep -c '^ambassador: ' err)" -eq 1 ] && grep -q "^ambassador: .*$1" err
}
export AMBASSADOR_NOW=2025-03-01T12:00:00Z
awk 'BEGIN { print "employee_id,name,email,department,level,consent";
  for (i = 1; i <= 20000; i++)
    printf "T%07d,Synthetic Person %d,p%d@example.invalid,Dept%d,employee,yes\n", i, i, i, i % 7 }' >big.csv
printf 'employee_id,name,email,department,level,consent\nS1,Small One,s1@example.invalid,Sales,employee,yes\nS2,Small Two,s2@example.invalid,Legal,manager,no\n' >small.csv
"$AMB" --db base.db init >/dev/null && "$AMB" --db base.db import roster small.csv >/dev/null ||
  { echo "setup failed"; exit 1; }
pre=$(digest base.db)
cp base.db ref.db && "$AMB" --db ref.db import roster big.csv --allow-departures >/dev/null || { echo "reference import failed"; exit 1; }
full=$(digest ref.db)
ok "reference states differ" [ "$pre" != "$full" ]

# --- C3: disk full via max_page_count --------------------------------------
cp base.db c3.db
pages=$(sqlite3 c3.db 'PRAGMA page_count')
AMBASSADOR_MAX_PAGES=$((pages + 2)) "$AMB" --db c3.db import roster big.csv --allow-departures >out 2>err
ok "C3 import under the page cap fails" [ $? -eq 1 ]
ok "C3 one 'storage full' line" one_line 'storage full'
ok "C3 DB unchanged" [ "$(digest c3.db)" = "$pre" ]
AMBASSADOR_MAX_PAGES=$pages "$AMB" --db c3.db status >out 2>err
ok "C3 reads still work under the cap" grep -q '2 people on the roster' out
AMBASSADOR_MAX_PAGES=abc "$AMB" --db c3.db status >out 2>err
ok "C3 a bad AMBASSADOR_MAX_PAGES is refused" one_line 'AMBASSADOR_MAX_PAGES'
"$AMB" --db c3.db import roster big.csv --allow-departures >out 2>err
ok "C3 the same file imports once space is back" [ $? -eq 0 ]
ok "C3 then the state is the full import" [ "$(digest c3.db)" = "$full" ]

# --- C4: write errors (EFBIG) at several file-size limits -------------------
# ulimit -f counts KiB. The WAL of this import is ~2 MiB, so each limit
# hits a different write: early WAL frames, the commit, the checkpoint.
for kib in 8 64 256 1024 2048 4096; do
  cp base.db c4.db
  (trap '' XFSZ; ulimit -f "$kib"; exec "$AMB" --db c4.db import roster big.csv --allow-departures) >out 2>err
  rc=$?
  echo "C4 ulimit -f ${kib}: exit $rc $(head -c 120 err)"
  st=$(digest c4.db)
  ok "C4 ${kib} KiB: no crash (rc $rc)" [ "$rc" -le 1 ]
  if [ "$rc" -eq 0 ]; then
    ok "C4 ${kib} KiB: success means fully imported" [ "$st" = "$full" ]
  else
    ok "C4 ${kib} KiB: one clean error line" one_line '\(I/O error\|storage full\)'
    ok "C4 ${kib} KiB: failure means unchanged" [ "$st" = "$pre" ]
    "$AMB" --db c4.db import roster big.csv --allow-departures >out 2>err
    ok "C4 ${kib} KiB: re-import without the limit works" [ "$(digest c4.db)" = "$full" ]
  fi
done

# --- C5: read-only file (non-root only) -------------------------------------
if [ "$(id -u)" -ne 0 ]; then
  cp base.db c5.db && chmod 444 c5.db
  "$AMB" --db c5.db status >out 2>err
  ok "C5 status on a read-only file" grep -q '2 people on the roster' out
  "$AMB" --db c5.db import roster big.csv --allow-departures >out 2>err
  ok "C5 import on a read-only file fails cleanly" one_line 'read-only\|readonly\|cannot'
  chmod 644 c5.db
  ok "C5 DB unchanged" [ "$(digest c5.db)" = "$pre" ]
else
  echo "C5 (file mode) skipped as root: chmod does not bind root; see tests/core/test_faults.c"
fi

# --- C6: damaged pages -------------------------------------------------------
# Page 2 is the meta table, page 5 the people table (schema version 5).
for pg in 2 3 5; do
  cp ref.db c6.db
  psize=$(sqlite3 c6.db 'PRAGMA page_size')
  head -c "$psize" /dev/urandom | dd of=c6.db bs="$psize" seek=$((pg - 1)) conv=notrunc 2>/dev/null
  ok "C6 page $pg: quick_check sees the damage" [ "$(sqlite3 c6.db 'PRAGMA quick_check' 2>&1 | head -1)" != ok ]
  for cmd in "status" "import roster small.csv"; do
    # shellcheck disable=SC2086
    timeout 10 "$AMB" --db c6.db $cmd >out 2>err
    rc=$?
    # A command that never reads the damaged page may succeed; it must never
    # crash, hang or print anything but one clean line on failure.
    if [ "$rc" -ne 0 ]; then
      ok "C6 page $pg, $cmd: one clean 'damaged' line (rc $rc)" one_line 'damaged'
    else
      pass=$((pass + 1))
    fi
  done
  # serve checks the whole file at start-up: it must refuse, quickly, with
  # one line, and never start serving a damaged database.
  timeout 20 "$AMB" --db c6.db serve --bind "ipc://$work/c6.sock" >out 2>err
  rc=$?
  ok "C6 page $pg: serve refuses to start (rc $rc)" [ "$rc" -ne 0 -a "$rc" -ne 124 ]
  ok "C6 page $pg: serve says why in one line" one_line 'damaged'
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
