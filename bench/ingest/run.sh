#!/usr/bin/env bash
# Builds the file parser benchmark in Release and prints its figures for 1M generated rows of a
# bank CSV and of JSON Lines, and the CSV reader alone over a ~1 GB file. Usage: bench/ingest/run.sh [rows] (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build-bench-ingest
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOEUVRE_BUILD_BENCH=ON \
  -DOEUVRE_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target file_parser_bench
rows="${1:-1000000}"
"$build/bench/file_parser_bench" "$rows" csv
"$build/bench/file_parser_bench" "$rows" jsonl
# The CSV reader alone over a ~1 GB bank file (10x the rows).
"$build/bench/file_parser_bench" "$((rows * 10))" reader
