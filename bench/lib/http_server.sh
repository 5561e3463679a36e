# shellcheck shell=bash
# What the HTTP benchmarks share (bench/http_bench.sh, bench/observability.sh), sourced from the
# repository's root after `set -euo pipefail`: a Release binary, servers on free loopback ports on one
# database (DATABASE_URL, else SQLite in the work folder), an admin, a token and a project.
#
#   source bench/lib/http_server.sh
#   bench_setup                        # $bin, $work (removed at exit with the servers), $email, $password
#   bench_start NAME [VAR=VALUE ...]   # a server with those settings: $base, and $pid (also in $pids)
#   token=$(bench_token "$base"); project=$(bench_project "$base" "$token")
#
# Environment: SKIP_BUILD (0; 1: build/release/oeuvre as it is), WORKERS (8), IO_THREADS (1), and for
# the scripts' wrk runs RUNS (3), DURATION (10s), CONNECTIONS (64), WRK_THREADS (2). PIN=1 runs the
# servers on CPU 0 and wrk (bench_wrk) on the other CPUs (taskset), so on a small machine the two do
# not take turns on each other's core: steadier figures, of a server that has one core.

command -v wrk >/dev/null || { echo "wrk is missing: run scripts/setup.sh" >&2; exit 1; }
RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
server_prefix=()
wrk_prefix=()
if [ "${PIN:-0}" = 1 ]; then
  command -v taskset >/dev/null || { echo "PIN=1 needs taskset (util-linux)" >&2; exit 1; }
  [ "$(nproc)" -ge 2 ] || { echo "PIN=1 needs at least 2 CPUs" >&2; exit 1; }
  server_prefix=(taskset -c 0)
  wrk_prefix=(taskset -c "1-$(($(nproc) - 1))")
fi
bench_wrk() { "${wrk_prefix[@]}" wrk "$@"; }

bench_setup() {
  if [ "${SKIP_BUILD:-0}" != 1 ]; then
    cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DOEUVRE_BUILD_TESTS=OFF >/dev/null
    cmake --build build/release -j2 --target oeuvre >/dev/null
  fi
  bin=./build/release/oeuvre
  work=$(mktemp -d)
  pids=()
  trap bench_cleanup EXIT
  export DATABASE_URL=${DATABASE_URL:-sqlite://$work/bench.db}
  export VAR_DIR=$work/var
  export PASSWORD_HASH_COST=minimal
  password="bench password 1234"
  printf '%s\n' "$password" | $bin user create --email "bench-$RANDOM@oeuvre.local" --admin >"$work/user.txt"
  email=$(awk '{print $3}' "$work/user.txt")
}

bench_cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}

# Not in a subshell: the server's pid must reach bench_cleanup. Its log: $work/NAME.log.
bench_start() {
  local name=$1 port
  shift
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  # METRICS_PORT=0: each server its own metrics listener on a free loopback port.
  "${server_prefix[@]}" env METRICS_PORT=0 "$@" $bin serve --port "$port" --worker-threads "${WORKERS:-8}" \
    --io-threads "${IO_THREADS:-1}" >"$work/$name.out" 2>"$work/$name.log" &
  pid=$!
  pids+=("$pid")
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -fs "$base/health/live" >/dev/null && return 0; sleep 0.1; done
  echo "the '$name' server did not start: $(tail -n 5 "$work/$name.log")" >&2
  return 1
}

bench_token() {
  curl -fs -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" \
    "$1/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

bench_project() {
  curl -fs -H 'Content-Type: application/json' -H "Authorization: Bearer $2" \
    -d '{"name":"Benchmark project"}' "$1/api/v1/projects" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
