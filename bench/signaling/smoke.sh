#!/usr/bin/env bash
# Smoke run of the signaling benchmark (CI runs `bash bench/*/smoke.sh`):
# 40 participants, 3 s measured, against the real server and the raw relay.
# Exits non-zero when something fails (a participant cannot connect, a chat
# message is lost, refused or unacknowledged, a process dies); a missed
# performance target does not fail it.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec node --import tsx bench/signaling/bench.ts PARTICIPANTS=40 DURATION=3 WARMUP=1
