#!/usr/bin/env bash
# Review speed in the browser on a Release build: the web app's end-to-end run (tests/web/app_e2e.mjs)
# against build/release/oeuvre, RUNS times; prints each run's review-speed line (the results view of a
# RESULTS-result job opening, and 100 confirms with the keyboard) and the medians.
#   RUNS=3 RESULTS=10000 bench/web/review_speed.sh      (SKIP_BUILD=1: use the binary as it is)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${RUNS:-3}
results=${RESULTS:-10000}
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  bash scripts/build_web.sh
  cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DOEUVRE_BUILD_TESTS=OFF >/dev/null
  cmake --build build/release -j2 --target oeuvre
fi
out=$(mktemp -d)
for i in $(seq 1 "$runs"); do
  node tests/web/app_e2e.mjs --oeuvre build/release/oeuvre --source-dir . --artifacts "$out/run$i" \
    --review-results "$results" > "$out/run$i.log" 2>&1 || { tail -30 "$out/run$i.log"; exit 1; }
  cat "$out/run$i/review-speed.txt"
done
python3 - "$out" "$runs" <<'PY'
import re, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
opens, totals, medians, p95s = [], [], [], []
for i in range(1, runs + 1):
    line = open(f"{out}/run{i}/review-speed.txt").read()
    opens.append(int(re.search(r"opened in (\d+) ms", line).group(1)))
    totals.append(int(re.search(r"confirms with c in (\d+) ms", line).group(1)))
    medians.append(int(re.search(r"median (\d+) ms", line).group(1)))
    p95s.append(int(re.search(r"p95 (\d+) ms", line).group(1)))
m = statistics.median
print(f"medians of {runs} runs: results view opens in {m(opens)} ms; 100 confirms in {m(totals)} ms "
      f"(per key median {m(medians)} ms, p95 {m(p95s)} ms)")
PY
rm -rf "$out"
