#!/usr/bin/env bash
# A short run of the join benchmark (2 runs + 1 warm-up): proves it still works;
# exits non-zero when any run fails or times out. npm test runs it.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f apps/web/dist/index.html ] || npm run build --silent >/dev/null
RUNS=2 WARMUP=1 node --import tsx bench/join/join.ts
