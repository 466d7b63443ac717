#!/usr/bin/env bash
# fuzz/run.sh [SECONDS]: build the libFuzzer targets with clang
# (-fsanitize=fuzzer,address,undefined) into build/fuzz and run each for
# SECONDS (default 60), printing the executions per target. Exits non-zero
# when a target finds a crash, leak, timeout or OOM; each such input is
# copied to tests/regress/<target>/, which tests/core/test_regress.c
# replays on every change (commit it together with the fix).
#
# Targets: fuzz_csv_reader, fuzz_ingest (CSV, -max_len 64 KiB, csv.dict),
# fuzz_request (JSON requests, 16 KiB, json.dict), fuzz_zap (ZAP frames,
# 4 KiB, zap.dict) and fuzz_scoring (arrays of doubles, 16 KiB,
# scoring.dict); FUZZ_TARGETS="fuzz_zap fuzz_scoring" picks some.
#
# Seeds of the CSV targets: fuzz/seeds/*.csv, samples/*.csv and the
# csv-spectrum files of $AMB_SHARED_DIR (default
# ../shared)/conformance/csv-spectrum/csvs, each prefixed with one options
# byte (0) in build/fuzz/seeds/; never copied into the repository. The
# other targets start from fuzz/seeds/<target>/ (fuzz/make_seeds.py
# writes them). The corpus grows in build/fuzz/corpus/<target>, kept
# between runs. Nightly (docs/testing.md, section 'Faults, fuzzing and analysers'): FUZZ_FORK=2 fuzz/run.sh 1800.
#
# Seed: without FUZZ_FORK the run uses libFuzzer's -seed=1 (FUZZ_SEED=N
# for another, FUZZ_SEED=0 for a random one), so a PR run on a fresh
# clone follows the same inputs each time and a commit that passed does
# not fail on a rerun because the dice fell elsewhere; the nightly fork
# run draws a random seed and explores.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
build=build/fuzz
targets=${FUZZ_TARGETS:-"fuzz_csv_reader fuzz_ingest fuzz_request fuzz_zap fuzz_scoring"}
shared=${AMB_SHARED_DIR:-$(cd .. && pwd)/shared}

CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAMB_FUZZ=ON \
  -DAMB_SANITIZE=address,undefined -DAMB_WERROR=OFF -DBUILD_TESTING=OFF \
  -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link" >/dev/null
# shellcheck disable=SC2086
cmake --build "$build" -j"$(nproc)" --target $targets 2>&1 | grep -E 'error|warning' || true

# Seeds with the options byte in front.
seeds=$build/seeds
rm -rf "$seeds" && mkdir -p "$seeds"
for f in samples/*.csv "$shared"/conformance/csv-spectrum/csvs/*.csv; do
  [ -f "$f" ] || continue
  { printf '\0'; head -c 65535 "$f"; } >"$seeds/$(basename "$(dirname "$f")")_$(basename "$f")"
done
cp fuzz/seeds/*.csv "$seeds/" 2>/dev/null || true

# Per target: dictionary, largest input, seed folder.
target_opts() {
  case $1 in
    fuzz_csv_reader | fuzz_ingest) echo "fuzz/csv.dict 65536 $seeds" ;;
    fuzz_request) echo "fuzz/json.dict 16384 fuzz/seeds/$1" ;;
    fuzz_zap) echo "fuzz/zap.dict 4096 fuzz/seeds/$1" ;;
    fuzz_scoring) echo "fuzz/scoring.dict 16384 fuzz/seeds/$1" ;;
    *) echo "unknown target $1" >&2; return 1 ;;
  esac
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for t in $targets; do
  corpus=$build/corpus/$t
  art=$build/artifacts/$t
  mkdir -p "$corpus" "$art" "tests/regress/$t"
  opts=$(target_opts "$t")
  read -r dict max_len seed_dir <<<"$opts"
  fork=()
  [ -n "${FUZZ_FORK:-}" ] && fork=(-fork="$FUZZ_FORK" -ignore_crashes=0)
  seed=${FUZZ_SEED:-1}
  [ -n "${FUZZ_FORK:-}" ] && [ -z "${FUZZ_SEED:-}" ] && seed=0
  rc=0
  "$build/fuzz/$t" -seed="$seed" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=2 -max_len="$max_len" \
    -dict="$dict" -artifact_prefix="$art/" -print_final_stats=1 "${fork[@]}" \
    "$corpus" "$seed_dir" "tests/regress/$t" >"$build/$t.log" 2>&1 || rc=$?
  execs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$build/$t.log" | grep -Eo '[0-9]+$' | tail -1)
  [ -n "$execs" ] || execs=$(grep -Eo '#[0-9]+' "$build/$t.log" | tail -1 | tr -d '#')
  cov=$(grep -Eo 'cov: [0-9]+' "$build/$t.log" | tail -1)
  echo "$t: ${execs:-?} executions in ${secs} s (${cov:-cov: ?}, corpus $(ls "$corpus" | wc -l) files, seed $seed), exit $rc"
  if [ "$rc" -ne 0 ]; then
    status=1
    grep -E 'ERROR|SUMMARY|property failed' "$build/$t.log" | head -5
    for a in "$art"/*; do
      [ -f "$a" ] || continue
      cp "$a" "tests/regress/$t/" && echo "  saved tests/regress/$t/$(basename "$a")"
    done
    echo "  log: $build/$t.log"
  fi
done
exit $status
