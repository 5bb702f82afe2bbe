#!/usr/bin/env bash
# Installs the Debian packages named that are missing: with apt-get when root, otherwise prints the exact
# command to run and fails.
set -euo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "minsheng needs these Debian packages; run:"
  echo "  sudo apt-get install -y ${missing[*]}"
  exit 1
fi
