#!/usr/bin/env bash
# Builds libFuzzer targets with clang, outside the CMake build, compiling the sources each needs
# directly, and runs them:
#   file_parser   fuzz/file_parser_fuzzer.cpp: ingest::FileParser and preview_file (CSV, JSON, JSON Lines,
#                 and the bank statements FileParser recognises)
#   http_request  fuzz/http_request_fuzzer.cpp: the server's request parsing -- Beast's parser with the
#                 server's limits, the head checks (src/http/request_head.h), chunked bodies, the
#                 router's reading of the target, JSON bodies, the Cookie fields (src/http/cookies.h)
#   bank_statement  fuzz/bank_statement_fuzzer.cpp: the bank statement parsers (camt, MT940, BAI2, OFX),
#                 by content and each on any bytes, whole and in 1-byte reads
#   rules         fuzz/rules_fuzzer.cpp: the engine's rules JSON (src/engine/rules.h) and match models
#                 (src/engine/match_model.h), as jobs and `oeuvre reconcile --rules/--model` read them
#
# Usage: scripts/fuzz.sh [target] [seconds (default 300)] [more libFuzzer flags...]
#   target: file_parser | http_request | bank_statement | rules | all; default $FUZZ_TARGET, else all (each runs `seconds`)
#   scripts/fuzz.sh http_request 120
#   FUZZ_TARGET=file_parser FUZZ_JOBS=2 scripts/fuzz.sh 600     # two fuzzing processes
# Each target keeps its corpus in build-fuzz/corpus/<target> (seeds: fuzz/corpus/<target>, read-only)
# and writes crashes as build-fuzz/<target>-crash-* (leak-*, timeout-*); reproduce one with
#   build-fuzz/<target>_fuzzer build-fuzz/<target>-crash-<hash>
set -euo pipefail
cd "$(dirname "$0")/.."

target="${FUZZ_TARGET:-all}"
case "${1:-}" in
  file_parser | http_request | bank_statement | rules | all) target="$1"; shift ;;
esac
seconds="${1:-300}"
shift || true
case "$target" in
  all) targets=(file_parser http_request bank_statement rules) ;;
  file_parser | http_request | bank_statement | rules) targets=("$target") ;;
  *) echo "unknown fuzz target '$target' (file_parser, http_request, bank_statement, rules or all)" >&2; exit 2 ;;
esac
if ! command -v clang++ >/dev/null; then
  echo "clang++ not found: installing the Debian clang package" >&2
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y clang; else sudo apt-get install -y clang; fi
fi

out=build-fuzz

# The sources and libraries of one target.
sources_of() {
  case "$1" in
    file_parser)
      echo fuzz/file_parser_fuzzer.cpp src/core/*.cpp src/csv/byte_source.cpp src/csv/csv_reader.cpp \
        src/engine/record_table.cpp src/ingest/*.cpp src/bank/*.cpp ;;
    http_request)
      echo fuzz/http_request_fuzzer.cpp src/core/*.cpp src/http/request_head.cpp src/http/strict_json.cpp \
        src/http/request_body.cpp src/http/router.cpp src/http/problem.cpp src/http/cookies.cpp \
        src/observability/request_phases.cpp ;;
    bank_statement)
      echo fuzz/bank_statement_fuzzer.cpp src/core/*.cpp src/csv/byte_source.cpp src/bank/*.cpp ;;
    rules)
      echo fuzz/rules_fuzzer.cpp src/core/*.cpp src/engine/rules.cpp src/engine/match_model.cpp \
        src/engine/record_table.cpp ;;
  esac
}
libraries_of() {
  case "$1" in
    file_parser) echo -lboost_json -lexpat -lcrypto ;;
    http_request) echo -lboost_json -lboost_url -lcrypto ;;
    bank_statement) echo -lboost_json -lexpat -lcrypto ;;
    rules) echo -lboost_json -lcrypto ;;
  esac
}

# Builds build-fuzz/<target>_fuzzer when it is missing or older than its sources, their folders'
# headers, or this script.
build() {
  local target=$1 binary="$out/$1_fuzzer"
  local sources dir headers=()
  read -r -a sources <<<"$(sources_of "$target")"
  shopt -s nullglob
  for dir in $(printf '%s\n' "${sources[@]}" | xargs -n1 dirname | sort -u); do headers+=("$dir"/*.h); done
  shopt -u nullglob
  local newest
  newest=$(ls -t "${sources[@]}" "${headers[@]}" | head -1)
  if [ -x "$binary" ] && [ "$binary" -nt "$newest" ] && [ "$binary" -nt "$0" ]; then return; fi
  echo "building $binary" >&2
  # shellcheck disable=SC2046
  clang++ -std=c++20 -O1 -g -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -DBOOST_ASIO_NO_DEPRECATED -DBOOST_BEAST_USE_STD_STRING_VIEW \
    -Isrc "${sources[@]}" $(libraries_of "$target") -o "$binary"
}

mkdir -p "$out"
for t in "${targets[@]}"; do build "$t"; done

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
jobs="${FUZZ_JOBS:-1}"
parallel=()
if [ "$jobs" -gt 1 ]; then parallel=(-jobs="$jobs" -workers="$jobs"); fi
for t in "${targets[@]}"; do
  echo "fuzzing $t for ${seconds} s" >&2
  mkdir -p "$out/corpus/$t"
  # The first corpus directory collects new inputs; the seeds stay read-only.
  "$out/${t}_fuzzer" "$out/corpus/$t" "fuzz/corpus/$t" \
    -dict="fuzz/$t.dict" -max_total_time="$seconds" -max_len=8192 -timeout=10 \
    -len_control=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/$t-" "${parallel[@]}" "$@"
done
