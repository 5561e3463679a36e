#!/usr/bin/env bash
# Ingestion benchmark (Release build): end-to-end upload-to-parsed time for a generated bank CSV of
# ROWS rows (default 1,000,000), on SQLite and on a throwaway PostgreSQL 15, RUNS runs each (median).
# The clock starts before the upload request and stops when GET /files/{id} says "parsed"; the file
# is streamed to disk, parsed in the background and stored in one transaction (COPY on PostgreSQL).
#
#   bench/ingest/upload_bench.sh               # 1,000,000 rows, 3 runs, both backends
#   ROWS=200000 RUNS=5 BACKENDS=sqlite bench/ingest/upload_bench.sh
#   SERVER_WRAPPER="perf record -g -o /tmp/ingest.perf --" BACKENDS=postgres RUNS=1 bench/ingest/upload_bench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}
BACKENDS=${BACKENDS:-"sqlite postgres"}

cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DOEUVRE_BUILD_TESTS=OFF >/dev/null
cmake --build build/release -j2 --target oeuvre >/dev/null
bin=$PWD/build/release/oeuvre

work=$(mktemp -d)
chmod 755 "$work"
server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=""
}
cleanup() {
  stop_server
  bash scripts/pg-test-server.sh stop "$work/pg" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# A bank export: id, booking date, description, counterparty, reference, amount, currency.
python3 - "$ROWS" "$work/bank.csv" <<'PY'
import random, sys
rows, path = int(sys.argv[1]), sys.argv[2]
rng = random.Random(7)
names = ["ACME TRADING", "GLOBEX CORP", "NORTHWIND", "INITECH", "UMBRELLA LTD", "HOOLI", "STARK IND", "WAYNE ENT"]
with open(path, "w", newline="") as f:
    f.write("Transaction ID,Booking Date,Description,Counterparty,Reference,Amount,Currency\r\n")
    for i in range(rows):
        name = rng.choice(names)
        cents = rng.randint(-500000, 2000000)
        sign = "-" if cents < 0 else ""
        amount = f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"
        f.write(f"T{i:08d},2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},"
                f"\"SEPA TRANSFER {name}, INV {i}\",{name},INV-2026-{i:08d},{amount},EUR\r\n")
PY
size=$(stat -c %s "$work/bank.csv")
echo "file: $ROWS rows, $((size / 1048576)) MiB; $(nproc) cores; load average $(cut -d' ' -f1 /proc/loadavg)"

run_backend() {
  local backend=$1 url
  if [ "$backend" = postgres ]; then
    bash scripts/pg-test-server.sh start "$work/pg" >/dev/null
    url=$(cat "$work/pg/url")
  else
    url="sqlite://$work/sqlite/bench.db"
    mkdir -p "$work/sqlite"
  fi
  export DATABASE_URL=$url VAR_DIR=$work/var-$backend PASSWORD_HASH_COST=minimal
  local port password="bench password 1234" email="bench-$RANDOM@oeuvre.local"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  printf '%s\n' "$password" | "$bin" user create --email "$email" --admin >/dev/null
  ${SERVER_WRAPPER:-} "$bin" serve --port "$port" >"$work/server-$backend.out" 2>"$work/server-$backend.log" &
  server_pid=$!
  local base=http://127.0.0.1:$port
  for _ in $(seq 1 100); do curl -fs "$base/health/live" >/dev/null && break; sleep 0.1; done
  local token project
  token=$(curl -fs -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" \
    "$base/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  project=$(curl -fs -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
    -d '{"name":"Ingest benchmark"}' "$base/api/v1/projects" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  local times=()
  for i in $(seq 1 "$RUNS"); do
    # A fresh data source per run: the same bytes twice in one source would be refused as a duplicate.
    local source file start end status
    source=$(curl -fs -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
      -d "{\"name\":\"Bank $i\",\"kind\":\"bank\"}" "$base/api/v1/projects/$project/data-sources" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    start=$(date +%s.%N)
    file=$(curl -fs -H "Authorization: Bearer $token" -H 'Content-Type: text/csv' --data-binary @"$work/bank.csv" \
      "$base/api/v1/data-sources/$source/files?filename=bank.csv" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    # One poller process (not a curl and a python per poll: they would steal the cores being measured).
    status=$(python3 - "$base/api/v1/files/$file" "$token" <<'PY'
import json, sys, time, urllib.request
url, token = sys.argv[1], sys.argv[2]
while True:
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    f = json.load(urllib.request.urlopen(req))
    if f["status"] in ("parsed", "failed"):
        print(f["status"], f["rows_ok"], f["rows_failed"])
        break
    time.sleep(0.1)
PY
)
    end=$(date +%s.%N)
    echo "[$backend] run $i: $status in $(python3 -c "print(f'{$end - $start:.2f}')") s"
    times+=("$(python3 -c "print($end - $start)")")
  done
  python3 - "$backend" "$ROWS" "$size" "${times[*]}" <<'PY'
import statistics, sys
backend, rows, size, times = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), [float(t) for t in sys.argv[4].split()]
m = statistics.median(times)
print(f"[{backend}] upload-to-parsed median {m:.2f} s over {len(times)} runs "
      f"({rows / m:,.0f} rows/s, {size / m / 1e6:.1f} MB/s)")
PY
  stop_server
  grep -h '"file parsed"' "$work/server-$backend.log" | tail -1 || true
  [ "$backend" = postgres ] && bash scripts/pg-test-server.sh stop "$work/pg" >/dev/null
  return 0
}

for backend in $BACKENDS; do run_backend "$backend"; done
echo "load average at the end: $(cut -d' ' -f1 /proc/loadavg)"
