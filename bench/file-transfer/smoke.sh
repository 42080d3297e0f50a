#!/usr/bin/env bash
# Smoke run of the file-transfer benchmark (CI runs `bash bench/*/smoke.sh`):
# 16 MiB through the server (upload with uploadFile, download by signed link,
# SHA-256 compared) and over the raw TCP and ws baselines. Exits non-zero when
# something fails (an upload refused, a download that differs, a process
# dies); a missed performance target does not fail it.
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZE_MB=16 node --import tsx bench/file-transfer/file-transfer.ts
# FT-2 over a WebRTC data channel in Chromium (folder-datachannel.ts): a 4 MiB
# folder download through the product beside a bare RTCDataChannel, both
# checked by SHA-256. Needs the built web app: apps/web/dist (built when
# missing), or the build WEB_DIST names (the server serves that one then).
if [ -n "${WEB_DIST:-}" ]; then
  [ -f "$WEB_DIST/index.html" ] || { echo "WEB_DIST=$WEB_DIST holds no built web app" >&2; exit 1; }
else
  [ -f apps/web/dist/index.html ] || npm run build --silent >/dev/null
fi
FOLDER_MB=4 RUNS=1 node --import tsx bench/file-transfer/folder-datachannel.ts
