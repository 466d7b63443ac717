#!/usr/bin/env bash
# Install, build (release) and run the main job on the bundled samples with
# the default embedded database, ./ambassador.db in a scratch directory.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" 2>&1 | grep -Ev '^\[ *[0-9]+%\]' || true
amb="$PWD/build/release/ambassador"
work=$(mktemp -d)
cd "$work"
echo "== working in $work (database: $work/ambassador.db)"
set -x
"$amb" init
"$amb" import roster "$OLDPWD/samples/roster.csv"
"$amb" status
"$amb" score
"$amb" candidates --size 12
