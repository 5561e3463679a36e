#!/usr/bin/env bash
# Person-record linkage benchmark (issue 17 item 5): FEBRL4-like registers of the same people, one
# corrupted copy of each record on the right (generate_people.py), reconciled by `oeuvre reconcile`
# with the rules of people_rules.json (default thresholds; at these sizes the match model is learned
# by EM, "model": "auto"), scored against the truth (quality_people.py). RULES=people_rules_fixed.json
# scores with the rules' hand-set weights instead (with the thresholds they were tuned for).
#
#   bench/engine/run_people.sh [RECORDS] [SEED ...]      e.g. bench/engine/run_people.sh 50000 4 5
#
# Needs a Release build with the bench targets:
#   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DOEUVRE_BUILD_TESTS=OFF -DOEUVRE_BUILD_BENCH=ON
#   cmake --build build-bench -j2 --target oeuvre-reconcile
# (BUILD_DIR overrides the build folder, DATA_DIR the data folder, default /tmp/oeuvre-people.)
# Prints, per seed, the wall time, CPU time and peak memory of one run (/usr/bin/time -v) and the
# precision / recall / F1 of the linked pairs, proposed (matched + suggested) and auto-matched.
set -euo pipefail
RECORDS=${1:-5000}
shift || true
SEEDS=${*:-4 5}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${BUILD_DIR:-$ROOT/build-bench}/bench/oeuvre-reconcile
PYTHON=/usr/bin/python3

for seed in $SEEDS; do
  data=${DATA_DIR:-/tmp/oeuvre-people}/$RECORDS-seed$seed
  if [ ! -f "$data/truth.csv" ]; then
    "$PYTHON" "$HERE/generate_people.py" "$RECORDS" "$data" --seed "$seed"
  fi
  rm -rf "$data/out"
  /usr/bin/time -v "$BIN" reconcile "$data/left.csv" "$data/right.csv" \
    --rules "${RULES:-$HERE/people_rules.json}" --mapping "$HERE/people_mapping.json" --out "$data/out" \
    --quiet 2> "$data/time.txt"
  wall=$(grep 'Elapsed (wall clock)' "$data/time.txt" | awk '{print $NF}')
  cpu=$(awk '/User time|System time/ {s += $NF} END {print s}' "$data/time.txt")
  peak=$(grep 'Maximum resident set size' "$data/time.txt" | awk '{printf "%.0f", $NF / 1024}')
  echo "[$RECORDS seed $seed] wall $wall, CPU (user+sys) $cpu s, peak memory $peak MiB," \
    "load average $(cut -d' ' -f1 /proc/loadavg)"
  "$PYTHON" "$HERE/quality_people.py" "$data/truth.csv" "$data/out/matches.csv" \
    --label "$RECORDS seed $seed"
done
