#!/usr/bin/env bash
# The whole test suite: typecheck, build, unit, integration, end-to-end in
# Debian's Chromium, and a short smoke run of every benchmark.
# PostgreSQL and Redis tests run when TEST_DATABASE_URL / TEST_REDIS_URL are set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-node-deps.sh
bash scripts/ensure-system-deps.sh chromium coturn xvfb xterm xdotool x11-utils xdg-utils xclip
echo "== typecheck"
npm run typecheck --silent
echo "== build web app"
npm run build --silent >/dev/null
mapfile -t files < <(find packages apps test -path '*/node_modules' -prune -o -name '*.test.ts' -print | sort)
echo "== tests (${#files[@]} files)"
summary=$(mktemp)
node --import tsx --test --test-reporter=spec --test-concurrency="${TEST_CONCURRENCY:-2}" "${files[@]}" | tee "$summary"
count() { grep -E "^ℹ $1 [0-9]+$" "$summary" | tail -1 | awk '{print $3}'; }
passed=$(count pass) failed=$(count fail) skipped=$(count skipped)
rm -f "$summary"
echo "== benchmark smoke"
for b in bench/*/smoke.sh; do
  [ -f "$b" ] || continue
  echo "-- $b"
  bash "$b"
done
# The test runner's figures again as the last line, after the benchmark output.
echo "tests: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
