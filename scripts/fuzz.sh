#!/usr/bin/env bash
# Builds the libFuzzer target of the file parser (fuzz/file_parser_fuzzer.cpp) with clang, outside
# the CMake build, compiling the sources it needs directly, and runs it.
#
# Usage: scripts/fuzz.sh [seconds (default 300)] [more libFuzzer flags...]
#   FUZZ_JOBS=2 scripts/fuzz.sh 600     # two fuzzing processes
# Crashes are written to build-fuzz/ (crash-*, leak-*, timeout-*); reproduce one with
#   build-fuzz/file_parser_fuzzer build-fuzz/crash-<hash>
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-300}"
shift || true
if ! command -v clang++ >/dev/null; then
  echo "clang++ not found: installing the Debian clang package" >&2
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y clang; else sudo apt-get install -y clang; fi
fi

out=build-fuzz
mkdir -p "$out/corpus"
binary="$out/file_parser_fuzzer"
sources=(
  fuzz/file_parser_fuzzer.cpp
  src/core/*.cpp
  src/csv/byte_source.cpp
  src/csv/csv_reader.cpp
  src/engine/record_table.cpp
  src/ingest/*.cpp
)
newest_source=$(ls -t "${sources[@]}" src/csv/*.h src/ingest/*.h src/core/*.h | head -1)
if [ ! -x "$binary" ] || [ "$newest_source" -nt "$binary" ] || [ "$0" -nt "$binary" ]; then
  echo "building $binary" >&2
  clang++ -std=c++20 -O1 -g -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Isrc "${sources[@]}" -lboost_json -lcrypto -o "$binary"
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
jobs="${FUZZ_JOBS:-1}"
parallel=()
if [ "$jobs" -gt 1 ]; then parallel=(-jobs="$jobs" -workers="$jobs"); fi
# The first corpus directory collects new inputs; the seeds stay read-only.
"$binary" "$out/corpus" fuzz/corpus/file_parser \
  -dict=fuzz/file_parser.dict -max_total_time="$seconds" -max_len=8192 -timeout=10 \
  -len_control=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/" "${parallel[@]}" "$@"
