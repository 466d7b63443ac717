#!/usr/bin/env bash
# package.sh - build the Debian package with CPack, install it with dpkg,
# check what it installed, run a first session from the installed files as
# the service would (its own user, its state directory, the settings in
# /etc/default/ambassador), then remove and purge it and check nothing is
# left. Run as root on Debian 12 (scripts/test.sh calls it).
#
#   scripts/package.sh [BUILD_DIR]      (default build/package)
#
# It refuses to run when an ambassador package is already installed, and
# removes the ambassador user and /var/lib/ambassador at the end only when
# it created them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/package}
step() { echo "== package: $*"; }
fail() { echo "package: FAIL: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "run as root (dpkg -i)"
if dpkg-query -W -f='${Status}' ambassador 2>/dev/null | grep -q installed; then
	fail "an ambassador package is installed already; remove it first"
fi
had_user=0; getent passwd ambassador >/dev/null && had_user=1
had_state=0; [ -e /var/lib/ambassador ] && had_state=1
tmp=$(mktemp -d)
srv_pid=""
cleanup() {
	if [ -n "$srv_pid" ]; then
		kill "$srv_pid" 2>/dev/null || true
		wait "$srv_pid" 2>/dev/null || true
	fi
	if dpkg-query -W -f='${Status}' ambassador 2>/dev/null | grep -q installed; then
		dpkg --purge ambassador >/dev/null || true
	fi
	[ $had_state -eq 1 ] || rm -rf /var/lib/ambassador
	[ $had_user -eq 1 ] || ! getent passwd ambassador >/dev/null || userdel ambassador || true
	getent group ambassador >/dev/null && [ $had_user -eq 0 ] && groupdel ambassador 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

step "configure and build (Release, prefix /usr)"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
	-DAMB_WERROR=ON -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build" -j2 --target ambassador man 2>&1 | grep -Ev '^\[ *[0-9]+%\]' || true
step "cpack -G DEB"
rm -f "$build"/ambassador_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/ambassador_*.deb)
echo "$deb"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libsqlite3-0 libzmq5 libgsl27 libcsv3 libjansson4 libssl3 libzip4; do
	grep -q "$lib" <<<"$depends" || fail "Depends lacks $lib"
done
dpkg-deb -c "$deb" | awk '{print $6}' >"$tmp/files"
for f in ./usr/bin/ambassador ./usr/share/man/man1/ambassador.1.gz \
	./usr/share/man/man7/ambassador-protocol.7.gz \
	./usr/share/bash-completion/completions/ambassador \
	./usr/lib/systemd/system/ambassador.service ./usr/lib/systemd/system/ambassador-score.service \
	./usr/lib/systemd/system/ambassador-score.timer ./usr/lib/sysusers.d/ambassador.conf \
	./etc/default/ambassador ./usr/share/ambassador/samples/roster.csv; do
	grep -qx "$f" "$tmp/files" || fail "the package lacks $f"
done

step "dpkg -i"
dpkg -i "$deb"
[ "$(command -v ambassador)" = /usr/bin/ambassador ] || fail "ambassador is not /usr/bin/ambassador on PATH"
ambassador --version
ambassador --version | grep -q "^ambassador [0-9]" || fail "--version"
getent passwd ambassador >/dev/null || fail "no ambassador user"
[ "$(stat -c '%U %a' /var/lib/ambassador)" = "ambassador 700" ] || fail "/var/lib/ambassador"
MANWIDTH=80 man --warnings ambassador 2>"$tmp/man.err" | grep -q "ambassador - find" ||
	fail "man ambassador"
MANWIDTH=80 man --warnings 7 ambassador-protocol 2>>"$tmp/man.err" | grep -q "CURVE SET-UP" ||
	fail "man 7 ambassador-protocol"
[ ! -s "$tmp/man.err" ] || fail "man warnings: $(cat "$tmp/man.err")"
bash -c 'source /usr/share/bash-completion/bash_completion
	source /usr/share/bash-completion/completions/ambassador
	complete -p ambassador' | grep -q _ambassador || fail "bash completion"

step "systemd-analyze verify"
units="/usr/lib/systemd/system/ambassador.service /usr/lib/systemd/system/ambassador-score.service
	/usr/lib/systemd/system/ambassador-score.timer"
# shellcheck disable=SC2086
systemd-analyze verify --man=no $units >"$tmp/verify" 2>&1 || true
cat "$tmp/verify"
[ ! -s "$tmp/verify" ] || fail "systemd-analyze verify printed the above"
step "systemd-analyze security (exposure)"
for u in ambassador.service ambassador-score.service; do
	line=$(systemd-analyze security --offline=true "/usr/lib/systemd/system/$u" 2>&1 |
		grep "Overall exposure level")
	echo "$line"
	level=$(sed -E 's/.*: ([0-9.]+) .*/\1/' <<<"$line")
	awk -v l="$level" 'BEGIN { exit !(l <= 3.9) }' || fail "$u: exposure $level is worse than OK"
done

step "a first session from the installed files, as the service runs"
# The units' settings, read as systemd reads them.
# shellcheck disable=SC1091
. /etc/default/ambassador
samples=/usr/share/ambassador/samples
as_svc() {
	(cd /var/lib/ambassador && setpriv --reuid=ambassador --regid=ambassador \
		--clear-groups env AMBASSADOR_DB=/var/lib/ambassador/ambassador.db "$@")
}
cp "$samples"/roster.csv "$samples"/survey_msforms.csv "$samples"/codebook.csv \
	"$samples"/activity.csv "$tmp"/
chmod 0755 "$tmp"; chmod 0644 "$tmp"/*.csv
as_svc ambassador -q init
as_svc ambassador import roster "$tmp/roster.csv"
as_svc ambassador import survey "$tmp/survey_msforms.csv" --codebook "$tmp/codebook.csv"
as_svc ambassador import activity "$tmp/activity.csv" --no-progress
# ambassador-score.service's command, with the shipped AMBASSADOR_SCORE_OPTS.
# shellcheck disable=SC2086
as_svc ambassador $AMBASSADOR_OPTS score $AMBASSADOR_SCORE_OPTS
as_svc ambassador snapshots
id=$(as_svc ambassador snapshots --format csv | awk -F, 'NR == 2 { print $1 }')
as_svc ambassador publish "$id"
as_svc ambassador candidates --size 5 >/dev/null
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
opts=${AMBASSADOR_SERVE_OPTS/tcp:\/\/127.0.0.1:5555/tcp://127.0.0.1:$port}
# Started directly (not through as_svc's subshell), so $! is the server.
# shellcheck disable=SC2086
setpriv --reuid=ambassador --regid=ambassador --clear-groups \
	env AMBASSADOR_DB=/var/lib/ambassador/ambassador.db ambassador $AMBASSADOR_OPTS serve $opts \
	2>"$tmp/serve.log" &
srv_pid=$!
ok=0
for _ in $(seq 1 50); do
	if ambassador query '{"op":"ping","id":1}' --connect "tcp://127.0.0.1:$port" \
		--timeout 300 --retries 0 >"$tmp/ping" 2>/dev/null; then ok=1; break; fi
	sleep 0.2
done
[ $ok -eq 1 ] || fail "the server did not answer: $(cat "$tmp/serve.log")"
ambassador query '{"op":"invitations","limit":3,"id":2}' --connect "tcp://127.0.0.1:$port" |
	tee "$tmp/inv" | grep -q '"ok":true' || fail "invitations: $(cat "$tmp/inv")"
kill -HUP "$srv_pid"   # what `systemctl reload ambassador` sends
sleep 0.5
kill -0 "$srv_pid" || fail "the server died on SIGHUP: $(cat "$tmp/serve.log")"
ambassador query '{"op":"ping","id":3}' --connect "tcp://127.0.0.1:$port" >/dev/null ||
	fail "no answer after SIGHUP"
kill -TERM "$srv_pid"
wait "$srv_pid" || fail "serve did not exit 0 on SIGTERM: $(cat "$tmp/serve.log")"
srv_pid=""
as_svc ambassador backup /var/lib/ambassador/backup.db
as_svc ambassador --db /var/lib/ambassador/backup.db status >/dev/null

step "dpkg -r, then --purge"
dpkg -r ambassador
[ ! -e /usr/bin/ambassador ] || fail "/usr/bin/ambassador is still there after dpkg -r"
[ -e /etc/default/ambassador ] || fail "dpkg -r removed the conffile"
dpkg --purge ambassador
for f in /usr/bin/ambassador /etc/default/ambassador /usr/lib/systemd/system/ambassador.service \
	/usr/share/man/man1/ambassador.1.gz /usr/share/ambassador /etc/ambassador; do
	[ ! -e "$f" ] || fail "$f is still there after purge"
done
[ -e /var/lib/ambassador/ambassador.db ] || fail "purge removed the database (it keeps it)"
step "ok"
