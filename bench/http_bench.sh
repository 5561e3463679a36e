#!/usr/bin/env bash
# HTTP benchmark (Release build, wrk): GET /api/v1/projects/{id} with a valid token, beside a bare
# GET /health/live as the server's own ceiling, at 64 connections, in one run. Prints the median of
# RUNS runs of each (requests/s, p50, p99) and the ratio.
#
#   bench/http_bench.sh                      # SQLite under a temp dir
#   DATABASE_URL=postgres://... bench/http_bench.sh
#   RUNS=5 DURATION=15s WORKERS=8 IO_THREADS=1 bench/http_bench.sh
#   SKIP_BUILD=1 bench/http_bench.sh           # build/release/oeuvre as it is
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib/http_server.sh
bench_setup
bench_start server
token=$(bench_token "$base")
project=$(bench_project "$base" "$token")
curl -fs -H "Authorization: Bearer $token" "$base/api/v1/projects/$project" >/dev/null

echo "server: $(nproc) cores, io_threads=${IO_THREADS:-1} workers=${WORKERS:-8}; database: ${DATABASE_URL%%:*}"
echo "wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency, $RUNS runs each, alternating"
for i in $(seq 1 "$RUNS"); do
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$base/health/live" >"$work/live_$i.txt"
  wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $token" \
    "$base/api/v1/projects/$project" >"$work/project_$i.txt"
done

python3 - "$work" "$RUNS" <<'PY'
import statistics, sys
sys.path.insert(0, "bench/lib")
from wrk_output import parse
work, runs = sys.argv[1], int(sys.argv[2])
rows = {}
for name in ("live", "project"):
    runs_ = [parse(f"{work}/{name}_{i}.txt") for i in range(1, runs + 1)]
    rows[name] = [statistics.median(r[k] for r in runs_) for k in ("rps", "p50", "p99")] + [sum(r["errors"] for r in runs_)]
    print(f"  {name:8s} runs req/s: " + ", ".join(f"{r['rps']:.0f}" for r in runs_))
print(f"{'endpoint':34s} {'req/s':>10s} {'p50 ms':>8s} {'p99 ms':>8s} {'non-2xx':>8s}")
print(f"{'GET /health/live':34s} {rows['live'][0]:10.0f} {rows['live'][1]:8.3f} {rows['live'][2]:8.3f} {rows['live'][3]:8d}")
print(f"{'GET /api/v1/projects/{id} (JWT)':34s} {rows['project'][0]:10.0f} {rows['project'][1]:8.3f} {rows['project'][2]:8.3f} {rows['project'][3]:8d}")
print(f"ratio project/live req/s: {rows['project'][0] / rows['live'][0]:.3f}")
PY
