#!/usr/bin/env bash
# Installs Debian packages when missing, running `apt-get update` at most once per machine boot.
set -euo pipefail
missing=()
for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ ${#missing[@]} -eq 0 ] && exit 0
stamp=/tmp/.helpdesk-apt-updated
if [ ! -f "$stamp" ]; then
  apt-get update -qq
  touch "$stamp"
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
