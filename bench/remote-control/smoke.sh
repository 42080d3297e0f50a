#!/usr/bin/env bash
# A short run of the remote-control benchmark (CI runs `bash bench/*/smoke.sh`):
# our path and x11vnc (default, tuned) through noVNC, 10 clicks and 2 s of
# motion each. Exits non-zero when something breaks (a path does not connect,
# clicks show no change, a program or page fails); a missed target is printed,
# not failed on. Needs the built web app: apps/web/dist (built when missing),
# or the build WEB_DIST names (the server serves that one then).
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/ensure-system-deps.sh x11vnc websockify novnc xvfb
if [ -n "${WEB_DIST:-}" ]; then
  [ -f "$WEB_DIST/index.html" ] || { echo "WEB_DIST=$WEB_DIST holds no built web app" >&2; exit 1; }
else
  [ -f apps/web/dist/index.html ] || npm run build --silent >/dev/null
fi
CLICKS="${CLICKS:-10}" MOTION="${MOTION:-2}" WARMUP="${WARMUP:-1}" node --import tsx bench/remote-control/bench.ts
