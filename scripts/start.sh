#!/usr/bin/env bash
# Starts the product: installs dependencies and builds the web app (and the
# website snippet apps/web/dist/embed/help.js) and the Support Manager archive when needed,
# then serves site, API and WebSocket on http://127.0.0.1:8080 (PORT/HOST to change).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-node-deps.sh
if [ ! -f apps/web/dist/index.html ] || [ ! -f apps/web/dist/embed/help.js ] || [ -n "$(find apps/web/src apps/web/index.html packages -newer apps/web/dist/index.html -type f 2>/dev/null | head -1)" ]; then
  echo "Building the web app..."
  npm run build --silent
fi
# The Support Manager archive the Downloads page offers (cached by content: a no-op when nothing changed).
if [ ! -f apps/support-manager/dist/support-manager-linux-x64.json ] || [ -n "$(find apps/support-manager/src apps/support-manager/scripts apps/support-manager/packaging packages/protocol/src packages/client/src -newer apps/support-manager/dist/support-manager-linux-x64.json -type f 2>/dev/null | head -1)" ]; then
  echo "Packaging Support Manager..."
  npm run package --silent -w apps/support-manager -- --if-supported || echo "Support Manager was not packaged; the Downloads page says so."
fi
exec node --import tsx apps/server/src/main.ts
