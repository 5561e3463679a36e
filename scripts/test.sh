#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds Œuvre with AddressSanitizer + UndefinedBehaviorSanitizer, and runs
# every test (unit, and integration against SQLite and a real PostgreSQL 15 that CTest starts and stops).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build_web.sh
build=build/test
# ccache across clones in different folders (CI clones afresh), with precompiled headers.
export CCACHE_BASEDIR="$PWD"
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
# Build folders differ between clones: without this, ccache keys -g objects by the folder and never hits.
export CCACHE_NOHASHDIR=1
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DOEUVRE_SANITIZE=ON -DOEUVRE_WERROR=ON
cmake --build "$build" -j2
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$build"
ctest -j2 --output-on-failure --timeout 900
