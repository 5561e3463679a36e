#!/usr/bin/env bash
# Cache benchmark (issue 16; Release build, wrk at 64 connections, on PostgreSQL): GET
# /api/v1/projects/{id} and GET /api/v1/projects/{id}/stats on three servers over one database — the
# cache off (CACHE_ENABLED=false), L1 only, L1 + L2 (a redis-server on loopback started here) — beside
# GET /health/live, alternating, RUNS runs each. Per endpoint and server: the median requests/s, p50
# and p99, the database statements per request and the cache's hit rate, both from the server's own
# /metrics (oeuvre_db_query_duration_seconds_count, oeuvre_cache_requests_total) around each run.
#
#   DATABASE_URL=postgres://... bench/cache.sh       # a database to use (a fresh one is best)
#   bench/cache.sh                                    # starts a throwaway PostgreSQL (scripts/pg-test-server.sh)
#   RUNS=5 DURATION=10s ROWS=20000 SKIP_BUILD=1 bench/cache.sh
#   PIN=1 bench/cache.sh                              # servers on CPU 0, wrk on the rest (quieter)
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-20000}
command -v redis-server >/dev/null || { echo "redis-server is missing: run scripts/setup.sh" >&2; exit 1; }
if [ -z "${DATABASE_URL:-}" ]; then
  pgdir=$(mktemp -d)
  scripts/pg-test-server.sh start "$pgdir" >/dev/null
  base_url=$(cat "$pgdir/url")
  export DATABASE_URL="${base_url%/*}/bench_cache_$RANDOM"
  psql "$base_url" -qc "CREATE DATABASE ${DATABASE_URL##*/}" >/dev/null
fi
source bench/lib/http_server.sh
bench_setup
stop_extra() {
  [ -n "${redis_pid:-}" ] && kill "$redis_pid" 2>/dev/null || true
  [ -n "${pgdir:-}" ] && scripts/pg-test-server.sh stop "$pgdir" >/dev/null 2>&1 || true
  bench_cleanup
}
trap stop_extra EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
redis_pid=$!

declare -A base_of metrics_of
for mode in off l1 l2; do
  mport=$(free_port)
  case $mode in
    off) bench_start off METRICS_PORT="$mport" CACHE_ENABLED=false ;;
    l1) bench_start l1 METRICS_PORT="$mport" ;;
    l2) bench_start l2 METRICS_PORT="$mport" REDIS_URL="redis://127.0.0.1:$redis_port" ;;
  esac
  base_of[$mode]=$base
  metrics_of[$mode]="http://127.0.0.1:$mport/metrics"
done
base=${base_of[l1]}
token=$(bench_token "$base")
project=$(bench_project "$base" "$token")

# Records for the statistics to count: one data source, one file of ROWS rows.
source_id=$(curl -fs -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
  -d '{"name":"bank","kind":"bank"}' "$base/api/v1/projects/$project/data-sources" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
python3 - "$ROWS" >"$work/rows.csv" <<'PY'
import sys
print("date,amount,currency,reference")
for i in range(int(sys.argv[1])):
    print(f"2026-{1 + i % 12:02d}-{1 + i % 28:02d},{(i * 37) % 100000 / 100:.2f},{'EUR' if i % 3 else 'USD'},ref-{i}")
PY
file_id=$(curl -fs -H "Authorization: Bearer $token" -H 'Content-Type: text/csv' --data-binary "@$work/rows.csv" \
  "$base/api/v1/data-sources/$source_id/files?filename=rows.csv" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
for _ in $(seq 1 600); do
  status=$(curl -fs -H "Authorization: Bearer $token" "$base/api/v1/files/$file_id" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
  [ "$status" = parsed ] && break
  [ "$status" = failed ] && { echo "the benchmark's file failed to parse" >&2; exit 1; }
  sleep 0.2
done
for mode in off l1 l2; do  # warm each server up (and its caches)
  for path in "/api/v1/projects/$project" "/api/v1/projects/$project/stats"; do
    bench_wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d2s -H "Authorization: Bearer $token" "${base_of[$mode]}$path" >/dev/null
  done
done
bench_wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d2s "$base/health/live" >/dev/null

# Saves the server's counters: statements run, cache hits and misses (all caches, all levels).
snapshot() {
  curl -fs "${metrics_of[$1]}" | python3 -c '
import re, sys
statements = hits = misses = 0.0
for line in sys.stdin:
    if line.startswith("oeuvre_db_query_duration_seconds_count"):
        statements += float(line.split()[-1])
    m = re.match(r"oeuvre_cache_requests_total\{.*result=\"(hit|miss)\".*\} (\S+)", line)
    if m and "level=\"l1\"" in line:
        if m.group(1) == "hit": hits += float(m.group(2))
        else: misses += float(m.group(2))
print(statements, hits, misses)' >"$2"
}

echo "server: $(nproc) cores, io_threads=${IO_THREADS:-1} workers=${WORKERS:-8}; database: postgres; $ROWS records"
echo "$([ "${PIN:-0}" = 1 ] && echo "pinned: servers on CPU 0, wrk on the others; ")wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION --latency, $RUNS runs each, alternating"
for i in $(seq 1 "$RUNS"); do
  bench_wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$base/health/live" >"$work/live_$i.txt"
  for mode in off l1 l2; do
    for what in project stats; do
      path="/api/v1/projects/$project"
      [ "$what" = stats ] && path="$path/stats"
      snapshot "$mode" "$work/${mode}_${what}_${i}.before"
      bench_wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $token" \
        "${base_of[$mode]}$path" >"$work/${mode}_${what}_$i.txt"
      snapshot "$mode" "$work/${mode}_${what}_${i}.after"
    done
  done
done

python3 - "$work" "$RUNS" <<'PY'
import statistics, sys
sys.path.insert(0, "bench/lib")
from wrk_output import parse
work, runs = sys.argv[1], int(sys.argv[2])
def counters(name, i):
    before = [float(x) for x in open(f"{work}/{name}_{i}.before").read().split()]
    after = [float(x) for x in open(f"{work}/{name}_{i}.after").read().split()]
    return [a - b for a, b in zip(after, before)]
live = [parse(f"{work}/live_{i}.txt") for i in range(1, runs + 1)]
live_rps = statistics.median(r["rps"] for r in live)
print(f"{'endpoint':28s} {'cache':5s} {'req/s':>8s} {'vs live':>8s} {'p50 ms':>7s} {'p99 ms':>7s} {'stmts/req':>9s} {'L1 hit':>7s} {'non-2xx':>7s}  runs req/s")
print(f"{'GET /health/live':28s} {'':5s} {live_rps:8.0f} {1:8.3f} {statistics.median(r['p50'] for r in live):7.3f} "
      f"{statistics.median(r['p99'] for r in live):7.3f} {'':>9s} {'':>7s} {sum(r['errors'] for r in live):7d}  "
      + ", ".join(f"{r['rps']:.0f}" for r in live))
for what, label in (("project", "GET /projects/{id}"), ("stats", "GET /projects/{id}/stats")):
    for mode in ("off", "l1", "l2"):
        name = f"{mode}_{what}"
        rs = [parse(f"{work}/{name}_{i}.txt") for i in range(1, runs + 1)]
        per = []
        hit = []
        for i, r in enumerate(rs, 1):
            statements, hits, misses = counters(name, i)
            requests = r["requests"]
            if requests: per.append(statements / requests)
            if hits + misses: hit.append(hits / (hits + misses))
        rps = statistics.median(r["rps"] for r in rs)
        print(f"{label:28s} {mode:5s} {rps:8.0f} {rps / live_rps:8.3f} {statistics.median(r['p50'] for r in rs):7.3f} "
              f"{statistics.median(r['p99'] for r in rs):7.3f} "
              f"{(statistics.median(per) if per else float('nan')):9.2f} "
              f"{(f'{statistics.median(hit):.3f}' if hit else '-'):>7s} {sum(r['errors'] for r in rs):7d}  "
              + ", ".join(f"{r['rps']:.0f}" for r in rs))
PY
