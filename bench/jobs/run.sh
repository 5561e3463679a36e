#!/usr/bin/env bash
# Jobs benchmark (Release build): upload a ROWS×ROWS bank/ledger pair (bench/engine/generate_pairs,
# seed 7, shared with bench/engine/run.sh under DATA_DIR) to `oeuvre serve`, reconcile it with a job
# and read its results, on a throwaway PostgreSQL 15 and on SQLite; then load the results endpoint.
#
#  (1) upload → results queryable, RUNS runs per backend (median): the clock starts before the two
#      uploads (sent at once, two curl processes) and stops when the first
#      GET /api/v1/jobs/{id}/results?per_page=100 of the completed job answers 200 with items.
#      Phases: upload + parse (both files "parsed"), job queued → completed (POST /projects/{id}/jobs
#      answered → GET /jobs/{id} says completed; polled every 0.1 s), first results page. Each run
#      uses two new data sources (left = bank, right = ledger, explicit column mappings) in one project
#      of one server, so later runs write into larger tables; the job has default rules. After the
#      timing, up to CHECK_PAGES (100) pages are read one by one through next_cursor and checked
#      (no result twice, order kept, the cursor moves): a warning and "BROKEN" in the table otherwise.
#  (2) results latency, on the last run's completed job, once the server and its database are idle
#      (settle: under 5 % of a core for a second, at most SETTLE_MAX s): wrk -t$WRK_THREADS -c$WRK_CONNECTIONS
#      -d$DURATION --latency with bench/jobs/results.lua (the first page, per_page=100), the same with
#      one client (wrk -t1 -c1: a request's latency without queueing), and, unless
#      WALK=0, with bench/jobs/walk_results.lua (page after page through next_cursor).
#
# The server runs with INGEST_WORKERS=2 JOB_WORKERS=1 under /usr/bin/time -v (its peak RSS); other
# server settings come from the environment. On SQLite a 1M-row parse holds the one write lock for
# ~15 s and a job's write for ~14 s, longer than the default busy wait (DB_WAIT_TIMEOUT_MS=2000):
# an upload then answers 503 and a second parse can stall for 10 minutes (its claim goes stale).
# DB_WAIT_TIMEOUT_MS=60000 in the environment avoids both until the server handles it.
#
#   bench/jobs/run.sh                                  # 1,000,000 rows, 3 runs, postgres then sqlite
#   ROWS=100000 RUNS=1 bench/jobs/run.sh
#   BACKENDS=sqlite DURATION=30s WALK=0 bench/jobs/run.sh
#   BUILD_DIR=build-perf SKIP_BUILD=1 bench/jobs/run.sh  # use the binaries as they are
#
# Environment: ROWS (1000000), RUNS (3), BACKENDS ("postgres sqlite"), DURATION (10s),
# WRK_THREADS (2), WRK_CONNECTIONS (8), WALK (1), SETTLE_MAX (180), BUILD_DIR (build-perf: a Release
# tree with -DOEUVRE_BUILD_BENCH=ON, for `oeuvre` and `bench/generate_pairs`), SKIP_BUILD (0), DATA_DIR
# (/tmp/oeuvre-bench), JOB_TIMEOUT (3600 s per wait), CHECK_PAGES (100), KEEP_WORK (0: remove the
# temp folder).
# Needs: PostgreSQL 15 binaries (scripts/pg-test-server.sh), wrk, curl, python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
HERE=$ROOT/bench/jobs
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}
BACKENDS=${BACKENDS:-"postgres sqlite"}
DURATION=${DURATION:-10s}
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-8}
WALK=${WALK:-1}
BUILD_DIR=${BUILD_DIR:-build-perf}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR=$ROOT/$BUILD_DIR ;; esac
DATA=${DATA_DIR:-/tmp/oeuvre-bench}/$ROWS
export JOB_TIMEOUT=${JOB_TIMEOUT:-3600}

for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: run scripts/setup.sh" >&2; exit 1; }
done
[[ "$ROWS" =~ ^[1-9][0-9]*$ && "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "ROWS and RUNS must be positive integers" >&2; exit 2; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  generator=()
  [ -f "$BUILD_DIR/CMakeCache.txt" ] || generator=(-G Ninja)
  cmake -S . -B "$BUILD_DIR" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DOEUVRE_BUILD_BENCH=ON >/dev/null
  cmake --build "$BUILD_DIR" -j2 --target oeuvre generate_pairs >/dev/null
fi
if ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$BUILD_DIR/CMakeCache.txt"; then
  echo "$BUILD_DIR is not a Release build" >&2
  exit 1
fi
bin=$BUILD_DIR/oeuvre
if [ ! -x "$bin" ] || [ ! -x "$BUILD_DIR/bench/generate_pairs" ]; then
  echo "missing $bin or $BUILD_DIR/bench/generate_pairs" >&2
  exit 1
fi

mkdir -p "$DATA"
if [ ! -f "$DATA/truth.csv" ]; then
  "$BUILD_DIR/bench/generate_pairs" --records "$ROWS" --seed 7 --out "$DATA"
fi
left_csv=$DATA/left.csv
right_csv=$DATA/right.csv

work=$(mktemp -d)
chmod 755 "$work"
wrapper_pid=""  # /usr/bin/time (or the server itself without it)
server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    # The server is a child of /usr/bin/time, not of this shell: wait for it through the wrapper.
    for _ in $(seq 1 600); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  if [ -n "$wrapper_pid" ]; then wait "$wrapper_pid" 2>/dev/null || true; fi
  server_pid=""
  wrapper_pid=""
}
current_backend=""
cleanup() {
  local rc=$?
  if [ "$rc" -ne 0 ] && [ -n "$current_backend" ] && [ -f "$work/server-$current_backend.log" ]; then
    echo "--- last lines of the $current_backend server log ---" >&2
    tail -n 20 "$work/server-$current_backend.log" >&2 || true
  fi
  stop_server
  bash scripts/pg-test-server.sh stop "$work/pg" >/dev/null 2>&1 || true
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work folder kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

json_field() {  # json_field FIELD < JSON
  python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

echo "data: $DATA: left.csv $(($(wc -l <"$left_csv") - 1)) bank lines ($(du -m "$left_csv" | cut -f1) MiB)," \
  "right.csv $(($(wc -l <"$right_csv") - 1)) ledger lines ($(du -m "$right_csv" | cut -f1) MiB)"
echo "binary: $bin; $(nproc) cores; load average $(cut -d' ' -f1 /proc/loadavg)"
echo "server: INGEST_WORKERS=2 JOB_WORKERS=1${DB_WAIT_TIMEOUT_MS:+ DB_WAIT_TIMEOUT_MS=$DB_WAIT_TIMEOUT_MS};" \
  "$RUNS runs per backend; wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d$DURATION"

# CPU ticks (1/100 s) used so far by the server and, on PostgreSQL, every postgres process.
busy_ticks() {
  local pids=("$server_pid")
  if [ "$1" = postgres ]; then pids+=($(pgrep -x postgres || true)); fi
  local total=0 pid fields
  for pid in "${pids[@]}"; do
    fields=$(cut -d')' -f2 "/proc/$pid/stat" 2>/dev/null) || continue
    total=$((total + $(echo "$fields" | awk '{print $12 + $13}')))
  done
  echo "$total"
}

# Waits (at most SETTLE_MAX seconds) until the server and its database are idle — under 5 % of a core
# over a second — so the latency runs do not share the machine with what the last job set off (such as
# SQLite's checkpoint of the job's log or PostgreSQL's autovacuum of the new rows).
settle() {
  local waited=0 before after
  before=$(busy_ticks "$1")
  while [ "$waited" -lt "${SETTLE_MAX:-180}" ]; do
    sleep 1
    waited=$((waited + 1))
    after=$(busy_ticks "$1")
    [ $((after - before)) -lt 5 ] && break
    before=$after
  done
  echo "[$1] idle after ${waited} s (at most ${SETTLE_MAX:-180} s)"
}

run_backend() {
  local backend=$1 url
  current_backend=$backend
  if [ "$backend" = postgres ]; then
    bash scripts/pg-test-server.sh start "$work/pg" >/dev/null
    url=$(cat "$work/pg/url")
  elif [ "$backend" = sqlite ]; then
    mkdir -p "$work/sqlite"
    url="sqlite://$work/sqlite/bench.db"
  else
    echo "unknown backend $backend (postgres or sqlite)" >&2
    return 1
  fi
  export DATABASE_URL=$url VAR_DIR=$work/var-$backend PASSWORD_HASH_COST=minimal
  export INGEST_WORKERS=2 JOB_WORKERS=1
  # One token for all runs and wrk: the default 15 minutes would expire during a 1M set.
  export ACCESS_TOKEN_TTL_SECONDS=86400
  local port password="bench password 1234" email="bench-$RANDOM@oeuvre.local"
  port=$(free_port)
  printf '%s\n' "$password" | "$bin" user create --email "$email" --admin >/dev/null 2>"$work/user-$backend.log"
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -v -o "$work/time-$backend.txt" "$bin" serve --port "$port" \
      >"$work/server-$backend.out" 2>"$work/server-$backend.log" &
    wrapper_pid=$!
    for _ in $(seq 1 100); do
      server_pid=$(awk '{print $1}' "/proc/$wrapper_pid/task/$wrapper_pid/children" 2>/dev/null || true)
      [ -n "$server_pid" ] && break
      sleep 0.05
    done
    [ -n "$server_pid" ] || { echo "the server did not start under /usr/bin/time" >&2; return 1; }
  else
    "$bin" serve --port "$port" >"$work/server-$backend.out" 2>"$work/server-$backend.log" &
    wrapper_pid=$!
    server_pid=$wrapper_pid
  fi
  local base=http://127.0.0.1:$port
  for _ in $(seq 1 100); do curl -fs "$base/health/live" >/dev/null && break; sleep 0.1; done
  curl -fs "$base/health/live" >/dev/null || { echo "the server does not answer on $base" >&2; return 1; }
  local token project
  token=$(curl -fsS -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" \
    "$base/api/v1/auth/login" | json_field access_token)
  project=$(curl -fsS -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
    -d '{"name":"Jobs benchmark"}' "$base/api/v1/projects" | json_field id)

  echo "[$backend] server pid $server_pid on $base"
  local i done_runs=0
  for i in $(seq 1 "$RUNS"); do
    if ! python3 "$HERE/jobs_bench.py" run "$base" "$token" "$project" "$left_csv" "$right_csv" "$i" "$server_pid" \
      "$work/run-$backend-$i.json"; then
      echo "[$backend] run $i failed; the remaining runs of $backend are skipped. Server log (not requests):" >&2
      grep -v '"msg":"request"' "$work/server-$backend.log" | tail -n 8 | sed 's/^/  /' >&2 || true
      failed="$failed $backend"
      break
    fi
    done_runs=$i
  done

  if [ "$done_runs" -eq 0 ]; then
    stop_server
    if [ "$backend" = postgres ]; then bash scripts/pg-test-server.sh stop "$work/pg" >/dev/null; fi
    current_backend=""
    return 0
  fi
  local job_id
  job_id=$(json_field job_id <"$work/run-$backend-$done_runs.json")
  settle "$backend"
  echo "[$backend] wrk on the results of job $job_id (load average $(cut -d' ' -f1 /proc/loadavg))"
  TOKEN=$token JOB_ID=$job_id wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$DURATION" --latency \
    -s "$HERE/results.lua" "$base" >"$work/wrk-first-$backend.txt"
  sed 's/^/  /' "$work/wrk-first-$backend.txt"
  # The same request from one client: a request's own latency, without queueing behind others.
  TOKEN=$token JOB_ID=$job_id wrk -t1 -c1 -d"$DURATION" --latency \
    -s "$HERE/results.lua" "$base" >"$work/wrk-single-$backend.txt"
  sed 's/^/  /' "$work/wrk-single-$backend.txt"
  if [ "$WALK" != 0 ]; then
    TOKEN=$token JOB_ID=$job_id wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"$DURATION" --latency \
      -s "$HERE/walk_results.lua" "$base" >"$work/wrk-walk-$backend.txt"
    sed 's/^/  /' "$work/wrk-walk-$backend.txt"
  fi

  stop_server
  grep -h '"reconciliation job completed"' "$work/server-$backend.log" | tail -n "$RUNS" | sed 's/^/  /' || true
  if [ -f "$work/time-$backend.txt" ]; then
    echo "  server: $(grep -E 'Maximum resident set size' "$work/time-$backend.txt" | sed 's/^[[:space:]]*//')," \
      "$(grep -E 'Percent of CPU' "$work/time-$backend.txt" | sed 's/^[[:space:]]*//')"
  fi
  if [ "$backend" = postgres ]; then bash scripts/pg-test-server.sh stop "$work/pg" >/dev/null; fi
  current_backend=""
  return 0
}

failed=""
for backend in $BACKENDS; do run_backend "$backend"; done
echo "load average at the end: $(cut -d' ' -f1 /proc/loadavg)"
# shellcheck disable=SC2086  # BACKENDS is a word list
python3 "$HERE/jobs_bench.py" summary "$work" "$ROWS" $BACKENDS
if [ -n "$failed" ]; then
  echo "FAILED:$failed (see the messages above; the tables hold the runs that completed)" >&2
  exit 1
fi
