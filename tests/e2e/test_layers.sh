#!/usr/bin/env bash
# The layers, as the built libraries show them (docs/design.md, section
# 'Architecture'): no library refers to a symbol of a layer above or
# beside it, and each third-party library is called from its own layer
# only (SQLite, libcsv and libzip: core; ZeroMQ: ipc; GSL: scorer and survey).
# Reads the static libraries next to $AMB_BINARY with nm.
set -uo pipefail
AMB=${AMB_BINARY:?AMB_BINARY must name the ambassador binary}
build=$(dirname "$AMB")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

layers="core survey scorer ipc cli"
declare -A below=([core]="" [survey]="core" [scorer]="core" [ipc]="core scorer"
                  [cli]="core survey scorer ipc")
declare -A foreign=([core]="sqlite3_ csv_ zip_" [survey]="gsl_" [scorer]="gsl_" [ipc]="zmq_"
                    [cli]="")

for l in $layers; do
  lib="$build/libamb_$l.a"
  [ -f "$lib" ] && ok || { bad "no $lib"; continue; }
  nm -u --format=posix "$lib" | awk '{print $1}' | sort -u >"$work/u_$l"
  nm -g --defined-only --format=posix "$lib" | awk 'NF > 1 {print $1}' | sort -u >"$work/d_$l"
done
cat "$work"/d_* | sort -u >"$work/ours"

for l in $layers; do
  for m in $layers; do
    [ "$l" = "$m" ] && continue
    case " ${below[$l]} " in *" $m "*) continue ;; esac
    used=$(comm -12 "$work/u_$l" "$work/d_$m" | head -5 | tr '\n' ' ')
    [ -z "$used" ] && ok || bad "amb_$l calls amb_$m, which is not below it: $used"
  done
  # symbols from outside the project, by library prefix
  comm -23 "$work/u_$l" "$work/ours" >"$work/ext_$l"
  for prefix in sqlite3_ csv_ zip_ zmq_ gsl_; do
    case " ${foreign[$l]} " in *" $prefix "*) continue ;; esac
    used=$(grep "^$prefix" "$work/ext_$l" | head -5 | tr '\n' ' ')
    [ -z "$used" ] && ok || bad "amb_$l calls ${prefix}* directly: $used"
  done
done
# the check itself: the store's library does call SQLite
grep -q '^sqlite3_prepare_v2$' "$work/ext_core" && ok || bad "amb_core shows no SQLite call"
grep -q '^store_open$' "$work/u_cli" && ok || bad "amb_cli shows no call into core"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
