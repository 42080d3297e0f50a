#!/usr/bin/env bash
# Installs the npm dependencies when they are missing or older than the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm dependencies (first run compiles better-sqlite3; a minute or two)..."
  npm ci --no-audit --no-fund --loglevel=error
fi
# npm 11 skips install scripts unless approved (package.json allowScripts); make sure the native module exists.
if [ ! -f node_modules/better-sqlite3/build/Release/better_sqlite3.node ]; then
  npm rebuild better-sqlite3 --loglevel=error
fi
