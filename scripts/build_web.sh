#!/usr/bin/env bash
# Builds the web app (web/: npm ci from its lock file, then npm run build) into web/dist, which the
# next cmake build compiles into `oeuvre`. Skips, saying so, when there is no web/package.json; the
# binary then serves a page at "/" saying how to build the app. Used by run.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -f web/package.json ]]; then
  echo "build_web.sh: no web/package.json: the web app is not built (oeuvre serves the API alone)"
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "build_web.sh: npm not found (scripts/setup.sh installs it)" >&2
  exit 1
fi
(cd web && npm ci --no-audit --no-fund && npm run build)
echo "build_web.sh: web/dist built"
