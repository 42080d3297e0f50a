#!/usr/bin/env bash
# Smoke run of the WebACD benchmark (CI runs `bash bench/*/smoke.sh`): 200
# people, 20 agents, 2 queues, then 2 s of arrivals; on one node with SQLite,
# and on two nodes with PostgreSQL + Redis when TEST_DATABASE_URL and
# TEST_REDIS_URL are set (as CI sets them). Exits non-zero when a person is
# offered twice, lost or cannot enter, an agent goes over the limit, or a
# process fails; a missed performance target does not fail it.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -n "${TEST_DATABASE_URL:-}" ] && [ -n "${TEST_REDIS_URL:-}" ]; then
  mode=both
else
  mode=sqlite
  echo "bench/acd smoke: TEST_DATABASE_URL / TEST_REDIS_URL not set: SQLite only" >&2
fi
exec node --import tsx bench/acd/acd.ts MODE="$mode" PEOPLE=200 AGENTS=20 QUEUES=2 STEADY_RATE=50 STEADY_SECONDS=2 STALL_SECONDS=10
