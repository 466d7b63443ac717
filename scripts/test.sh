#!/usr/bin/env bash
# Install what is needed, then build and run every test three ways:
# a -Werror debug build with formatting checked, the whole suite under
# AddressSanitizer + UndefinedBehaviorSanitizer, and a Release build; then
# valgrind on the unit tests and one server run, the Debian package
# (built, installed, used and removed), static analysis, the
# fuzzers (60 s each) and the quick benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
start=$(date +%s)
jobs=$(nproc)

echo "== formatting (clang-format)"
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build/*')
clang-format --dry-run --Werror $files

run_suite() {
  local preset=$1
  echo "== $preset: configure, build, test"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j"$jobs" 2>&1 | grep -Ev '^\[ *[0-9]+%\]' || true
  test -x "build/$preset/ambassador"
  # Failures print their output (the presets set outputOnFailure); the
  # summary line and ctest's exit code decide.
  ctest --preset "$preset" -j"$jobs"
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_suite asan
run_suite release
echo "== valgrind memcheck: the unit tests and one server run (release build)"
bash scripts/valgrind.sh build/release
echo "== Debian package: build, install, first session, remove (scripts/package.sh)"
bash scripts/package.sh
echo "== static analysis (cppcheck, clang-tidy)"
bash scripts/analyse.sh
echo "== fuzzing, 60 s per target (docs/testing.md, section 'Faults, fuzzing and analysers')"
bash fuzz/run.sh 60
if [ -x bench/run ]; then
  echo "== bench/run --quick (release build)"
  bench/run --quick --build build/release
fi
echo "== all done in $(( $(date +%s) - start )) s"
