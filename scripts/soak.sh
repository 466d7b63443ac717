#!/usr/bin/env bash
# scripts/soak.sh [MINUTES] (case D2, [NIGHTLY]; docs/testing.md, section 'Faults, fuzzing and analysers'):
# `ambassador serve` under a steady request load (ping, rank, invitations
# from a loop of `ambassador query`, ~5 requests/s) while every minute a
# roster import (alternating two rosters, so each is a change) and a `score`
# run land. Every 10 s the server's RSS, open file descriptors and the WAL
# size are sampled. Pass: 0 failed requests, 0 failed imports, WAL below
# 64 MiB, and after warm-up (the first quarter) RSS within +-10% and FDs
# within +-2 of their warm-up level. MINUTES defaults to 30.
# Uses build/release/ambassador (AMB_BINARY overrides), built if missing.
set -uo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-30}
AMB=${AMB_BINARY:-$PWD/build/release/ambassador}
if [ ! -x "$AMB" ]; then
  cmake --preset release >/dev/null && cmake --build build/release -j"$(nproc)" --target ambassador >/dev/null
fi
AMB=$(readlink -f "$AMB")
work=$(mktemp -d)
server= loadpid=
cleanup() {
  [ -n "$loadpid" ] && kill "$loadpid" 2>/dev/null
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
export AMBASSADOR_DB=$work/soak.db
ep="ipc://$work/s.sock"
mkroster() { # mkroster FILE N: N synthetic people
  awk -v n="$2" 'BEGIN { print "employee_id,name,email,department,level,consent";
    for (i = 1; i <= n; i++)
      printf "E%05d,Synthetic Person %d,p%d@example.invalid,Dept%d,employee,yes\n", i, i, i, i % 9 }' >"$1"
}
mkroster a.csv 5000
mkroster b.csv 5001
"$AMB" -q init && "$AMB" -q import roster a.csv >/dev/null || { echo "setup failed"; exit 1; }
if [ -f "$OLDPWD/samples/activity.csv" ]; then "$AMB" -q import activity "$OLDPWD/samples/activity.csv" >/dev/null 2>&1; fi
"$AMB" -q score >/dev/null 2>&1
"$AMB" -q serve --bind "$ep" 2>serve.err &
server=$!
sleep 1
kill -0 "$server" || { echo "serve did not start"; cat serve.err; exit 1; }

# Request load: bounded by the deadline, counted in files.
deadline=$(( $(date +%s) + minutes * 60 ))
(
  ok=0 bad=0
  reqs=('{"op":"ping"}' '{"op":"rank","limit":20}' '{"op":"invitations","limit":5}')
  i=0
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if "$AMB" query "${reqs[$((i % 3))]}" --connect "$ep" --timeout 3000 >/dev/null 2>&1; then
      ok=$((ok + 1))
    else bad=$((bad + 1)); fi
    i=$((i + 1))
    echo "$ok $bad" >load.count
    sleep 0.2
  done
) &
loadpid=$!

fail=0 imports=0 import_fail=0
echo "t_s rss_kib fds wal_bytes" >samples.txt
next_import=$(date +%s)
while [ "$(date +%s)" -lt "$deadline" ]; do
  now=$(date +%s)
  if [ "$now" -ge "$next_import" ]; then
    f=$([ $((imports % 2)) -eq 0 ] && echo b.csv || echo a.csv)
    if "$AMB" -q import roster "$f" >/dev/null 2>>imports.err && "$AMB" -q score >/dev/null 2>>imports.err; then
      :
    else import_fail=$((import_fail + 1)); fi
    imports=$((imports + 1))
    next_import=$((now + 60))
  fi
  rss=$(awk '/VmRSS/ { print $2 }' "/proc/$server/status" 2>/dev/null || echo 0)
  fds=$(ls "/proc/$server/fd" 2>/dev/null | wc -l)
  wal=$(stat -c %s "$AMBASSADOR_DB-wal" 2>/dev/null || echo 0)
  echo "$(( now - deadline + minutes * 60 )) $rss $fds $wal" >>samples.txt
  kill -0 "$server" 2>/dev/null || { echo "FAIL: the server died"; fail=1; break; }
  sleep 10
done
wait "$loadpid" 2>/dev/null
loadpid=
read -r ok bad <load.count || { ok=0; bad=0; }

# Flatness: warm-up level = mean of the samples of the second quarter;
# end level = mean of the last quarter.
verdict=$(awk -v q="$minutes" 'NR > 1 { t[NR] = $1; r[NR] = $2; f[NR] = $3; w[NR] = $4; n = NR }
  END {
    for (i = 2; i <= n; i++) { if (w[i] > maxw) maxw = w[i] }
    a = int((n - 1) / 4) + 2; b = int((n - 1) / 2) + 1; c = int(3 * (n - 1) / 4) + 2
    for (i = a; i <= b; i++) { r1 += r[i]; f1 += f[i]; k1++ }
    for (i = c; i <= n; i++) { r2 += r[i]; f2 += f[i]; k2++ }
    if (k1 == 0 || k2 == 0) { print "too-short"; exit }
    r1 /= k1; r2 /= k2; f1 /= k1; f2 /= k2
    ok = (r2 <= r1 * 1.10 && r2 >= r1 * 0.90 && f2 - f1 <= 2 && f1 - f2 <= 2 && maxw < 64 * 1048576)
    printf "%s rss %.0f -> %.0f KiB, fds %.1f -> %.1f, max WAL %d bytes\n", ok ? "flat" : "GROWING", r1, r2, f1, f2, maxw
  }' samples.txt)
echo "soak: $minutes min, $imports imports ($import_fail failed), $ok requests ok, $bad failed; $verdict"
[ "$bad" -eq 0 ] || { echo "FAIL: failed requests"; fail=1; }
[ "$import_fail" -eq 0 ] || { echo "FAIL: failed imports"; head -5 imports.err; fail=1; }
case $verdict in flat*) ;; too-short*) [ "$minutes" -ge 4 ] && fail=1 ;; *) fail=1 ;; esac
[ "$fail" -eq 0 ] && echo "1 passed, 0 failed" || echo "0 passed, 1 failed"
exit "$fail"
