#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds the web app and Œuvre (Release, the app compiled in) and serves
# the API and the app on the embedded default (SQLite under ./var), with a demo admin and project.
# Ctrl-C stops it gracefully.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build_web.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DOEUVRE_BUILD_TESTS=OFF
cmake --build build/release -j2 --target oeuvre
exec ./build/release/oeuvre serve --demo "$@"
