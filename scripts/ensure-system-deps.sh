#!/usr/bin/env bash
# Installs from Debian's packages what the tests need and this machine lacks.
# Usage: ensure-system-deps.sh [package ...]  (default: chromium)
set -euo pipefail
want=("${@:-chromium}")
declare -A bin=( [chromium]=/usr/bin/chromium [xvfb]=/usr/bin/Xvfb [coturn]=/usr/bin/turnserver [ffmpeg]=/usr/bin/ffmpeg [xterm]=/usr/bin/xterm [xdotool]=/usr/bin/xdotool [x11-utils]=/usr/bin/xwininfo )
missing=()
for p in "${want[@]}"; do
  b="${bin[$p]:-}"
  if [ -n "$b" ] && [ -x "$b" ]; then continue; fi
  if [ -z "$b" ] && dpkg -s "$p" >/dev/null 2>&1; then continue; fi
  missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing from Debian's packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
