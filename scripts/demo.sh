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
samples="$OLDPWD/samples"
"$amb" import roster "$samples/roster.csv"
"$amb" import survey "$samples/survey_msforms.csv" --codebook "$samples/codebook.csv"
"$amb" import activity "$samples/activity.csv"
"$amb" import activity "$samples/activity_overlap.csv"
"$amb" status
"$amb" score
"$amb" candidates --size 12
# HR keeps the suggestion as a pilot, reviews it and approves it: the
# intranet invites the approved pilot and nothing else.
"$amb" pilot propose --size 12 --name demo
"$amb" pilot show
"$amb" pilot approve --author demo
"$amb" invitations
# The service: answer queries until Ctrl-C.
set +x
echo "== serving on tcp://127.0.0.1:5555; from a second terminal try:"
echo "   $amb query '{\"op\":\"invitations\",\"limit\":5}'"
echo "   $amb query '{\"op\":\"rank\",\"limit\":5}'"
exec "$amb" serve
