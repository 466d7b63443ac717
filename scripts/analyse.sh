#!/usr/bin/env bash
# scripts/analyse.sh: static analysis of the project's own code (case K4,
# docs/testing.md, section 'Faults, fuzzing and analysers'): cppcheck, then clang-tidy with the checked-in .clang-tidy
# over build/dev/compile_commands.json (configured here if missing).
# Exits non-zero on any cppcheck finding and on any clang-tidy finding not
# in the baseline below. The baseline holds findings triaged as false
# positives (file + check, not line numbers, so it survives edits); most
# come from the analyser not knowing that err_set() returns its (negative)
# code, so it explores an "error path that returns 0". Remove an entry
# once its file is fixed or annotated.
set -euo pipefail
cd "$(dirname "$0")/.."
dirs="core survey scorer ipc cli"
status=0

echo "== cppcheck"
# profile.c reads weight fields through offsetof(): a valid char* -> double*
# cast that cppcheck's invalidPointerCast does not understand.
if ! cppcheck --enable=warning,performance,portability --error-exitcode=1 --inline-suppr \
  --std=c11 -D_GNU_SOURCE -q --suppress=invalidPointerCast:scorer/profile.c -I . $dirs; then
  echo "cppcheck: findings above"; status=1
fi

echo "== clang-tidy"
[ -f build/dev/compile_commands.json ] || cmake --preset dev >/dev/null
baseline="
cli/cmd_score.c clang-analyzer-deadcode.DeadStores
cli/cmd_weights.c clang-analyzer-core.NullDereference
core/csv.c clang-analyzer-core.NullDereference
core/store.c clang-analyzer-core.NonNullParamChecker
core/store_backup.c clang-analyzer-core.NonNullParamChecker
core/err.c bugprone-not-null-terminated-result
ipc/auth.c clang-analyzer-core.uninitialized.ArraySubscript
survey/roster.c clang-analyzer-core.CallAndMessage
survey/survey.c clang-analyzer-core.NullDereference
scorer/model.c bugprone-branch-clone
"
# shellcheck disable=SC2086
files=$(ls $(for d in $dirs; do echo "$d/*.c"; done))
out=$(mktemp)
trap 'rm -f "$out"' EXIT
run-clang-tidy -quiet -p build/dev -j"$(nproc)" $files >"$out" 2>&1 || true
findings=$(sed 's/\x1b\[[0-9;]*m//g' "$out" | grep -E '^/.*:[0-9]+:[0-9]+: (error|warning): .*\[' |
  sed -E "s|^$PWD/||" | sort -u || true)
new=0 known=0
while IFS= read -r f; do
  [ -n "$f" ] || continue
  file=${f%%:*}
  check=$(sed -E 's/.*\[([A-Za-z0-9.-]+)[],].*/\1/' <<<"$f")
  if grep -qxF "$file $check" <<<"$baseline"; then
    known=$((known + 1))
  else
    new=$((new + 1)); echo "NEW: $f"
  fi
done <<<"$findings"
echo "clang-tidy: $new new findings, $known baselined (false positives, see above)"
[ "$new" -eq 0 ] || status=1
exit $status
