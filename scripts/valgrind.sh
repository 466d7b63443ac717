#!/usr/bin/env bash
# scripts/valgrind.sh [BUILD_DIR]: every Criterion test binary of a
# non-sanitizer build (default build/dev) under valgrind memcheck
# (case K2, README.md, section 'Faults, fuzzing and analysers'). Criterion forks a worker per test: we run
# the tests one at a time (--jobs 1) and follow the children, so a leak or
# an invalid access in any test fails the run. Exits non-zero on any error.
# The fault sweeps of core_test_faults run thousands of imports, which
# under valgrind take long: VALGRIND_SKIP (a regex on binary names, default
# "core_test_faults") leaves them to the ASan suite.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/dev}
skip=${VALGRIND_SKIP-core_test_faults}
command -v valgrind >/dev/null || { echo "valgrind missing (apt-get install valgrind)"; exit 1; }
grep -q 'AMB_SANITIZE:STRING=$' "$build/CMakeCache.txt" 2>/dev/null ||
  { echo "$build must be a build without sanitizers (cmake --preset dev)"; exit 1; }
cmake --build "$build" -j"$(nproc)" 2>&1 | grep -E 'error|warning'
export AMB_SOURCE_DIR=$PWD AMB_BINARY=$PWD/$build/ambassador
pass=0 fail=0
for t in "$build"/tests/*_test_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  if [ -n "$skip" ] && [[ $name =~ $skip ]]; then echo "skip $name"; continue; fi
  log=$(mktemp)
  start=$(date +%s)
  if valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --show-leak-kinds=definite,indirect --error-exitcode=99 --trace-children=yes \
    --child-silent-after-fork=no "$t" --jobs 1 --no-early-exit >"$log" 2>&1; then
    pass=$((pass + 1)); echo "ok   $name ($(( $(date +%s) - start )) s)"
  else
    fail=$((fail + 1)); echo "FAIL $name"; grep -E '==[0-9]+==|Synthesis|FAIL' "$log" | head -40
  fi
  rm -f "$log"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
