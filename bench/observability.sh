#!/usr/bin/env bash
# Observability overhead (issue 15): requests/s of GET /health/live and GET /api/v1/projects/{id}
# (with a valid token) with per-request metrics and access logs on (the default) and off
# (ACCESS_LOG=off METRICS_ENABLED=false), side by side in one run. Two servers of the same Release
# binary on one database; wrk alternates between them (the order flips every run), RUNS runs each.
# Prints each run, the medians, and the ratio on/off per endpoint (1.000 = no cost). Tracing
# (request id, traceparent, the phase timer) cannot be switched off, so it is in both columns.
#
#   bench/observability.sh                       # SQLite under a temp dir
#   DATABASE_URL=postgres://... bench/observability.sh
#   RUNS=5 DURATION=15s CONNECTIONS=64 WORKERS=8 bench/observability.sh
#   SKIP_BUILD=1 bench/observability.sh          # build/release/oeuvre as it is
#   PIN=1 bench/observability.sh                 # servers on CPU 0, wrk on the rest (quieter)
#   PIN=1 TOGETHER=1 bench/observability.sh      # both servers loaded at the same moment (below)
#
# TOGETHER=1 (needs PIN=1): instead of taking turns, the two servers are loaded at the same time,
# one wrk each, both servers on CPU 0. The kernel's scheduler shares that core fairly between the
# two busy servers, so each one's requests/s is what its own cost per request allows in half a core,
# and whatever else the machine does at that moment (other VMs, the disk, the other CPU) falls on
# both alike. The ratio of each run is a paired comparison; the script reports their median.
#
# The servers' logs go to a file in the temp dir (as they would to a file or journald), not to a
# terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib/http_server.sh
bench_setup
# ON_ENV / OFF_ENV replace the two servers' settings, to measure one side alone or an A/A pair:
#   ON_ENV="ACCESS_LOG=on METRICS_ENABLED=false" ... (the access log alone)
read -r -a on_env <<<"${ON_ENV:-ACCESS_LOG=on METRICS_ENABLED=true}"
read -r -a off_env <<<"${OFF_ENV:-ACCESS_LOG=off METRICS_ENABLED=false}"
bench_start on "${on_env[@]}"
on=$base
on_pid=$pid
bench_start off "${off_env[@]}"
off=$base
off_pid=$pid
token=$(bench_token "$on")
project=$(bench_project "$on" "$token")
# Warm-up, not measured: a fresh process serves its first seconds slower (allocator, caches, pool).
for base in "$on" "$off"; do
  bench_wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d2s "$base/health/live" >/dev/null
  bench_wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d2s -H "Authorization: Bearer $token" "$base/api/v1/projects/$project" >/dev/null
done

echo "$(nproc) cores; io_threads=${IO_THREADS:-1} workers=${WORKERS:-8}; database: ${DATABASE_URL%%:*}; $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
pinned=""
[ "${PIN:-0}" = 1 ] && pinned="pinned: servers on CPU 0, wrk on the others; "
echo "${pinned}wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION, $RUNS runs of each endpoint on each server, alternating"
# The server's CPU time (user + system clock ticks, /proc/PID/stat fields 14 and 15).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
bench() {  # bench NAME BASE PID: each wrk run's output, then the server's CPU ticks during it
  local before
  before=$(cpu_ticks "$3")
  bench_wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$2/health/live" >"$work/live_$1_$i.txt"
  echo "cpu_ticks $(($(cpu_ticks "$3") - before))" >>"$work/live_$1_$i.txt"
  before=$(cpu_ticks "$3")
  bench_wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $token" \
    "$2/api/v1/projects/$project" >"$work/project_$1_$i.txt"
  echo "cpu_ticks $(($(cpu_ticks "$3") - before))" >>"$work/project_$1_$i.txt"
}
together() {  # together NAME PATH [wrk options]: both servers loaded at once for DURATION
  local name=$1 path=$2 before_on before_off wrk_on wrk_off
  shift 2
  before_on=$(cpu_ticks "$on_pid")
  before_off=$(cpu_ticks "$off_pid")
  bench_wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$on$path" >"$work/${name}_on_$i.txt" &
  wrk_on=$!
  bench_wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$off$path" >"$work/${name}_off_$i.txt" &
  wrk_off=$!
  wait "$wrk_on" "$wrk_off"
  echo "cpu_ticks $(($(cpu_ticks "$on_pid") - before_on))" >>"$work/${name}_on_$i.txt"
  echo "cpu_ticks $(($(cpu_ticks "$off_pid") - before_off))" >>"$work/${name}_off_$i.txt"
}
if [ "${TOGETHER:-0}" = 1 ]; then
  [ "${PIN:-0}" = 1 ] || { echo "TOGETHER=1 needs PIN=1 (both servers on one core)" >&2; exit 1; }
  echo "together: both servers loaded at once, one wrk -t1 each"
  for i in $(seq 1 "$RUNS"); do
    together live /health/live
    together project "/api/v1/projects/$project" -H "Authorization: Bearer $token"
  done
else
  for i in $(seq 1 "$RUNS"); do
    if [ $((i % 2)) -eq 1 ]; then bench on "$on" "$on_pid"; bench off "$off" "$off_pid"
    else bench off "$off" "$off_pid"; bench on "$on" "$on_pid"; fi
  done
fi
echo "access log lines written by the 'on' server: $(grep -c '"msg":"request"' "$work/on.log" || true); by 'off': $(grep -c '"msg":"request"' "$work/off.log" || true)"

python3 - "$work" "$RUNS" "$(getconf CLK_TCK)" <<'PY'
import statistics, sys
sys.path.insert(0, "bench/lib")
import wrk_output
work, runs, tick = sys.argv[1], int(sys.argv[2]), 1.0 / int(sys.argv[3])
def parse(path):
    r = wrk_output.parse(path)
    return r["rps"], r["p99"], r["errors"], r["cpu_ticks"] * tick * 1e6 / max(r["requests"], 1)
print("req/s: wrk's; CPU/req: the server's CPU time (user + system) over the requests served, less")
print("sensitive to the machine's other load than req/s; ratio on/off, cost = 1 - req/s ratio")
print(f"{'endpoint':34s} {'on req/s':>9s} {'off req/s':>9s} {'on/off':>7s} {'CPU/req on':>10s} {'off':>6s} {'off/on':>6s} {'p99 on':>7s} {'p99 off':>7s}  runs on | off")
for name, label in (("live", "GET /health/live"), ("project", "GET /api/v1/projects/{id} (JWT)")):
    r = {side: [parse(f"{work}/{name}_{side}_{i}.txt") for i in range(1, runs + 1)] for side in ("on", "off")}
    med = {side: statistics.median(x[0] for x in r[side]) for side in r}
    p99 = {side: statistics.median(x[1] for x in r[side]) for side in r}
    cpu = {side: statistics.median(x[3] for x in r[side]) for side in r}
    bad = sum(x[2] for side in r for x in r[side])
    runs_text = " | ".join(", ".join(f"{x[0]:.0f}" for x in r[side]) for side in ("on", "off"))
    # Each run's own ratio: with TOGETHER=1 the two columns of one run saw the same machine.
    paired = sorted(a[0] / b[0] for a, b in zip(r["on"], r["off"]))
    print(f"{label:34s} {med['on']:9.0f} {med['off']:9.0f} {med['on'] / med['off']:7.3f} "
          f"{cpu['on']:8.1f}us {cpu['off']:5.1f}us {cpu['off'] / cpu['on']:6.3f} "
          f"{p99['on']:7.2f} {p99['off']:7.2f}  {runs_text}" + (f"  non-2xx: {bad}" if bad else ""))
    print(f"{'':34s} each run's on/off: {', '.join(f'{x:.3f}' for x in paired)}; median {statistics.median(paired):.3f}")
PY
