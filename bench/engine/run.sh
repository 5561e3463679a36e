#!/usr/bin/env bash
# Side-by-side benchmark: Œuvre's engine and the pandas baseline on the same generated data.
#
#   bench/engine/run.sh [RECORDS] [RUNS]        e.g. bench/engine/run.sh 100000 3
#
# Needs a Release build with the bench targets:
#   cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DOEUVRE_BUILD_BENCH=ON
#   cmake --build build-bench -j2 --target generate_pairs oeuvre-reconcile
# (BUILD_DIR overrides the build folder; BASELINE_MAX_RECORDS, default 200000, skips pandas above it.)
# Prints, for each tool, the median wall time and peak memory of RUNS runs (/usr/bin/time -v) and the
# precision / recall / F1 of its matched pairs against the generator's truth (quality.py).
set -euo pipefail
RECORDS=${1:-100000}
RUNS=${2:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build-bench}
BIN=$BUILD_DIR/bench
BASELINE_MAX_RECORDS=${BASELINE_MAX_RECORDS:-200000}
DATA=${DATA_DIR:-/tmp/oeuvre-bench}/$RECORDS
PYTHON=/usr/bin/python3  # Debian's python, where python3-pandas and python3-jellyfish live

mkdir -p "$DATA"
if [ ! -f "$DATA/truth.csv" ]; then
  "$BIN/generate_pairs" --records "$RECORDS" --seed 7 --out "$DATA"
fi
echo "data: $DATA ($(du -sh "$DATA/left.csv" | cut -f1) + $(du -sh "$DATA/right.csv" | cut -f1))"

# measure NAME OUT_DIR COMMAND...: runs the command RUNS times, prints median seconds and peak MiB.
measure() {
  local name=$1 out=$2
  shift 2
  local times=() memory=() cpu=()
  for ((i = 1; i <= RUNS; i++)); do
    rm -rf "$out"
    /usr/bin/time -v "$@" > "$DATA/$name.stdout" 2> "$DATA/$name.time"
    times+=("$(grep 'Elapsed (wall clock)' "$DATA/$name.time" | awk '{print $NF}')")
    memory+=("$(grep 'Maximum resident set size' "$DATA/$name.time" | awk '{print $NF}')")
    cpu+=("$(awk '/User time|System time/ {s += $NF} END {print s}' "$DATA/$name.time")")
  done
  "$PYTHON" - "$name" "${times[*]}" "${memory[*]}" "${cpu[*]}" <<'PY'
import statistics, sys
name, times, memory, cpu = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), sys.argv[4].split()
def seconds(t):
    parts = [float(p) for p in t.split(":")]
    return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
s = [seconds(t) for t in times]
m = [int(k) / 1024 for k in memory]
c = [float(x) for x in cpu]
print(f"[{name}] wall time median {statistics.median(s):.2f} s (runs: {', '.join(f'{x:.2f}' for x in s)}), "
      f"CPU (user+sys) median {statistics.median(c):.2f} s, peak memory median {statistics.median(m):.0f} MiB")
with open("/proc/loadavg") as f:
    print(f"[{name}] load average after the runs: {f.read().split()[0]} (other processes share the cores)")
PY
}

measure engine "$DATA/engine" "$BIN/oeuvre-reconcile" reconcile "$DATA/left.csv" "$DATA/right.csv" \
  --out "$DATA/engine" --quiet
"$PYTHON" "$HERE/quality.py" "$DATA/truth.csv" "$DATA/engine/matches.csv" --label engine

if [ "$RECORDS" -le "$BASELINE_MAX_RECORDS" ]; then
  measure pandas "$DATA/pandas" "$PYTHON" -W ignore "$HERE/pandas_baseline.py" "$DATA/left.csv" "$DATA/right.csv" \
    "$DATA/pandas"
  "$PYTHON" "$HERE/quality.py" "$DATA/truth.csv" "$DATA/pandas/matches.csv" --label pandas
else
  echo "[pandas] skipped above $BASELINE_MAX_RECORDS records (set BASELINE_MAX_RECORDS to run it)"
fi
