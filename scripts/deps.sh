#!/usr/bin/env bash
# Install the Debian 12 packages ambassador needs to build, test and run.
# Idempotent: skips apt-get when everything is already there.
set -euo pipefail
PKGS="build-essential cmake pkg-config git clang clang-format libclang-rt-14-dev
  libsqlite3-dev sqlite3 libcsv-dev libgsl-dev libzmq3-dev libjansson-dev libzip-dev
  libcriterion-dev libutf8proc-dev python3 python3-zmq python3-numpy time cppcheck clang-tidy valgrind
  libxlsxwriter-dev python3-openpyxl chromium chromium-driver python3-selenium
  poppler-utils libssl-dev scdoc man-db systemd dpkg-dev fakeroot file bash-completion"
missing=()
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
