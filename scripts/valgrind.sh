#!/usr/bin/env bash
# scripts/valgrind.sh [BUILD_DIR]: every Criterion test binary of a
# non-sanitizer build (default build/dev) under valgrind memcheck
# (case K2, docs/testing.md, section 'Faults, fuzzing and analysers'). Criterion forks a worker per test: we run
# the tests one at a time (--jobs 1) and follow the children, so a leak or
# an invalid access in any test fails the run. Exits non-zero on any error.
# The fault sweeps of core_test_faults run thousands of imports, which
# under valgrind take long: VALGRIND_SKIP (a regex on binary names, default
# "core_test_faults") leaves them to the ASan suite.
# Then one `ambassador serve` (CURVE, 2 workers, on a database built from
# samples/) runs under memcheck (--leak-check=full
# --errors-for-leak-kinds=definite,indirect --error-exitcode=1) while a
# client sends 1 000 requests (ping, rank, explain, candidates, invitations,
# malformed JSON, unknown ops); then SIGTERM. Pass: every request answered,
# exit code 0, "ERROR SUMMARY: 0 errors". scripts/valgrind.supp is used if
# present (only for documented libzmq/libsodium one-time allocations).
# VALGRIND_PARTS="unit server" (default) picks the parts to run.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/dev}
skip=${VALGRIND_SKIP-core_test_faults}
command -v valgrind >/dev/null || { echo "valgrind missing (apt-get install valgrind)"; exit 1; }
grep -q 'AMB_SANITIZE:STRING=$' "$build/CMakeCache.txt" 2>/dev/null ||
  { echo "$build must be a build without sanitizers (cmake --preset dev)"; exit 1; }
cmake --build "$build" -j"$(nproc)" 2>&1 | grep -E 'error|warning'
# AMB_VALGRIND=1: tests that size their work for a native run take less
# (tests/survey/test_activity.c's 1M-row import: 200k under memcheck).
export AMB_SOURCE_DIR=$PWD AMB_BINARY=$PWD/$build/ambassador AMB_VALGRIND=1
pass=0 fail=0
parts=${VALGRIND_PARTS:-unit server}
for t in "$build"/tests/*_test_*; do
  [[ " $parts " == *" unit "* ]] || break
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

# --- one server under memcheck, 1 000 requests, SIGTERM ----------------------
if [[ " $parts " == *" server "* ]]; then
  work=$(mktemp -d)
  vpid=
  trap '[ -n "$vpid" ] && kill -9 "$vpid" 2>/dev/null; rm -rf "$work"' EXIT
  db=$work/v.db
  amb() { "$AMB_BINARY" --db "$db" -q "$@"; }
  if amb init && amb import roster samples/roster.csv >/dev/null &&
    amb import survey samples/survey_msforms.csv --codebook samples/codebook.csv >/dev/null &&
    amb import activity samples/activity.csv >/dev/null && amb score >/dev/null &&
    "$AMB_BINARY" keygen "$work/server" >/dev/null && "$AMB_BINARY" keygen "$work/hr" >/dev/null &&
    "$AMB_BINARY" keygen "$work/intra" >/dev/null; then
    printf 'public_key,role,name\n%s,hr,hr\n%s,intranet,intranet\n' \
      "$(cat "$work/hr.pub")" "$(cat "$work/intra.pub")" >"$work/clients.csv"
    supp=()
    [ -f scripts/valgrind.supp ] && supp=(--suppressions=scripts/valgrind.supp)
    ep="ipc://$work/v.sock"
    start=$(date +%s)
    valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect \
      --show-leak-kinds=definite,indirect --error-exitcode=1 --log-file="$work/vg.log" \
      "${supp[@]}" "$AMB_BINARY" --db "$db" serve --bind "$ep" --poll-ms 200 \
      --curve-secret "$work/server.key" --clients "$work/clients.csv" 2>"$work/serve.err" &
    vpid=$!
    # The client: 1 000 requests over CURVE, each answered within 15 s.
    WORK=$work EP=$ep /usr/bin/python3 - <<'PY'
import json, os, sys, time
sys.path.insert(0, "tests/e2e")
import zmq
from svc_helpers import curve_opts, dealer_ask
w, ep = os.environ["WORK"], os.environ["EP"]
key = lambda n, e: open(os.path.join(w, n + e)).read().strip()
hr = (key("server", ".pub"), key("hr", ".pub"), key("hr", ".key"))
intra = (key("server", ".pub"), key("intra", ".pub"), key("intra", ".key"))
ctx = zmq.Context.instance()
def sock(curve):
    s = ctx.socket(zmq.DEALER); s.linger = 0; curve_opts(s, curve); s.connect(ep); return s
# Readiness: a ping every 2 s while valgrind starts. The DEALER queues the
# unanswered ones and the server answers them all once up; every request
# carries an id and dealer_ask takes only the reply with its own id, so no
# late reply is ever read as the answer to a later request.
deadline = time.monotonic() + 120  # valgrind start-up
s = sock(hr)
up = False
probe = 0
while time.monotonic() < deadline and not up:
    probe += 1
    up = dealer_ask(s, json.dumps({"op": "ping", "id": "ready-%d" % probe}).encode(), 2000)
if not up:
    sys.exit("server under valgrind did not answer within 120 s")
si = sock(intra)
rank = None
answered = bad = 0
reqs = [{"op": "ping"}, {"op": "rank", "limit": 20}, {"op": "candidates", "size": 5},
        {"op": "invitations", "limit": 10}, b'not json', {"op": "nope"},
        {"op": "rank", "limit": "x"}, {"op": "explain", "employee_id": "missing"}]
for i in range(1000):
    k = i % 10
    if k == 8:
        sk, req = si, {"op": "invitations", "limit": 5}
    elif k == 9 and rank:
        sk, req = s, {"op": "explain", "employee_id": rank[i % len(rank)]}
    else:
        sk, req = s, reqs[k % len(reqs)]
    body = req if isinstance(req, bytes) else json.dumps(dict(req, id=i)).encode()
    rep = dealer_ask(sk, body, 15000)
    if rep is None:
        sys.exit("request %d (%r) not answered within 15 s" % (i, body))
    answered += 1
    if k == 1 and rep.get("ok"):
        rank = [x["employee_id"] for x in rep["items"]]
    if ("ok" not in rep) or (k < 4 and not rep["ok"]):
        bad += 1
        print("unexpected reply to %r: %r" % (body, rep))
print("server under valgrind: %d/1000 requests answered, %d unexpected replies" % (answered, bad))
sys.exit(1 if bad or answered != 1000 else 0)
PY
    client_rc=$?
    kill -TERM "$vpid" 2>/dev/null
    # valgrind's exit code: the server's own, or 1 for memcheck errors.
    waited=0
    while kill -0 "$vpid" 2>/dev/null && [ "$waited" -lt 120 ]; do sleep 1; waited=$((waited + 1)); done
    if kill -0 "$vpid" 2>/dev/null; then
      kill -9 "$vpid"; wait "$vpid" 2>/dev/null; vrc=timeout
    else
      wait "$vpid"; vrc=$?
    fi
    vpid=
    if [ "$client_rc" -eq 0 ] && [ "$vrc" = 0 ]; then
      pass=$((pass + 1)); echo "ok   serve under memcheck, 1000 requests, SIGTERM ($(( $(date +%s) - start )) s)"
    else
      fail=$((fail + 1))
      echo "FAIL serve under memcheck: client rc $client_rc, exit $vrc"
      grep -E '==[0-9]+==' "$work/vg.log" | head -60
      tail -5 "$work/serve.err"
    fi
  else
    fail=$((fail + 1)); echo "FAIL serve under memcheck: database set-up failed"
  fi
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
