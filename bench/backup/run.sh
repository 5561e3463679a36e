#!/usr/bin/env bash
# Backup benchmark (Release build, issue 13): `oeuvre backup create` and `oeuvre backup restore` on a
# database of at least TARGET_MB MiB (BACKEND=sqlite, the default, or BACKEND=postgres), side by side in
# one run with the pipeline an operator would write by hand, alternating run by run (the machine is
# shared): RUNS runs of each, medians.
#
# SQLite:
#   create   oeuvre backup create                 sqlite3 DB ".backup COPY" && zstd -3 -T1 -c COPY
#                                                   | openssl enc -aes-256-ctr -K KEY -iv IV -out ARCHIVE
#                                                   && sync ARCHIVE && rm COPY
#   restore  oeuvre backup restore ID --to URL    openssl enc -d -aes-256-ctr -K KEY -iv IV -in ARCHIVE
#                                                   | zstd -d -T1 -o DB && sync DB
# PostgreSQL (a throwaway PostgreSQL 15 from scripts/pg-test-server.sh on loopback, fsync off there for
# both sides alike; or the server of PG_URL, whose database oeuvre_bench is built once and kept):
#   create   oeuvre backup create                 pg_dump --format=plain --no-owner --no-privileges URL
#                                                   | zstd -3 -T1 | openssl enc ... -out ARCHIVE && sync ARCHIVE
#   restore  oeuvre backup restore ID --to URL2   openssl enc -d ... -in ARCHIVE | zstd -d -T1
#                                                   | psql -X -q -v ON_ERROR_STOP=1 --single-transaction URL2
#   (URL2: an empty database created before each timed restore, outside the timing, on both sides.)
#   The app runs the same pg_dump (on a snapshot exported by its own REPEATABLE READ transaction, which
#   lists the tables and files; the rows are counted in the dump as it passes) and the same psql; what
#   it adds is its archive format (each chunk authenticated as psql is fed, psql killed before it
#   commits if anything fails) and, after the restore, every table's rows counted and compared with
#   the manifest.
#
# Both sides do the same work as far as they can: zstd level 3 with its frame checksum (what the app's
# archive writer uses; the pipeline's zstd runs with its default single thread beside openssl in another
# process, the app compresses on two zstd worker threads while its own thread encrypts and hashes), a
# consistent copy through SQLite's backup API first, and the result made durable. What only the app does
# is part of its figures: AEAD per 64 KiB chunk (not bare CTR), the SHA-256 of the archive and the row
# counts in the manifest on create; on restore, every chunk authenticated and the archive checked against
# its manifest before the restored file is renamed into place, then the row counts compared with the
# manifest. The uploaded files are left out on both sides (the app's
# VAR_DIR is empty for these runs, so its manifest counts them as missing): the figures are database
# throughput.
#
# Throughput is the database's size (10^6 bytes; SQLite: the file, PostgreSQL: pg_database_size) over
# wall-clock seconds; peak memory is /usr/bin/time -v's "Maximum resident set size": the largest of the
# side's processes (the pipeline's, or oeuvre and the pg_dump or psql it runs), the PostgreSQL server's
# own processes not counted on either side.
#
# The database is the app's own data, built once (SQLite: kept under DATA_DIR; PostgreSQL: built again on
# each run, in a server under the work folder): a server on it, then
# jobs_bench.py's run (bench/jobs: a bank and a ledger file of ROWS lines from bench/engine/generate_pairs
# uploaded and parsed, and a job reconciling them, its results written), repeated until the file reaches
# TARGET_MB (FILL=ingest, the default). With FILL=sql, one such round is ingested and the file is then
# grown to TARGET_MB in bulk by SQL: the records and the results rows are copied under new UUIDs (same
# tables, indexes and row contents as the app wrote them), doubling until the target is reached — for
# when ingesting a gigabyte through the app is too slow (a Debug binary, a busy machine).
#
#   bench/backup/run.sh                        # 1 GiB, 3 runs
#   RUNS=5 TARGET_MB=2048 bench/backup/run.sh
#   BUILD_DIR=build/release SKIP_BUILD=1 bench/backup/run.sh
#   PERF=1 bench/backup/run.sh                 # also a perf profile of one create and one restore
#   OEUVRE_BIN=/path/oeuvre GENERATE_PAIRS=/path/generate_pairs SKIP_BUILD=1 ALLOW_DEBUG=1 FILL=sql ROWS=100000 \
#     bench/backup/run.sh                      # another binary (a non-Release one is labelled as such)
#   BACKEND=postgres FILL=sql ROWS=100000 bench/backup/run.sh
#   scripts/pg-test-server.sh start /tmp/pg && PG_URL=$(cat /tmp/pg/url) BACKEND=postgres FILL=sql ROWS=100000 \
#     bench/backup/run.sh                      # the database kept in that server for the next run
#
# Environment: BACKEND (sqlite | postgres), RESTORE (1; 0: creates only), PG_URL (a PostgreSQL server's maintenance database URL), ROWS (1000000 lines per file per ingest round), RUNS (3), TARGET_MB (1024), BUILD_DIR
# (build/release: a Release tree with -DOEUVRE_BUILD_BENCH=ON for `oeuvre` and `bench/generate_pairs`),
# SKIP_BUILD (0), DATA_DIR (/tmp/oeuvre-bench: the generated files under DATA_DIR/ROWS as bench/jobs
# uses them, the database under DATA_DIR/backup-db), WORK_DIR (a temp folder: archives and restored
# copies, about 1.5 x the database), KEEP_WORK (0), PERF (0), FILL (ingest | sql), OEUVRE_BIN and
# GENERATE_PAIRS (binaries to use instead of BUILD_DIR's), ALLOW_DEBUG (0: refuse a non-Release build).
# Needs: sqlite3, zstd, openssl, /usr/bin/time, curl, python3 (and perf for PERF=1); for PostgreSQL the
# PostgreSQL 15 server binaries, pg_dump and psql (scripts/setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}
TARGET_MB=${TARGET_MB:-1024}
BUILD_DIR=${BUILD_DIR:-build/release}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR=$ROOT/$BUILD_DIR ;; esac
DATA_ROOT=${DATA_DIR:-/tmp/oeuvre-bench}
PAIRS=$DATA_ROOT/$ROWS
DB_DIR=$DATA_ROOT/backup-db
DB=$DB_DIR/oeuvre.db
LEVEL=3  # src/backup/archive_writer.h: ArchiveOptions::compression_level
BACKEND=${BACKEND:-sqlite}
RESTORE=${RESTORE:-1}
case "$BACKEND" in
  sqlite) tools="sqlite3" ;;
  postgres) tools="pg_dump psql" ;;
  *) echo "BACKEND must be sqlite or postgres, not '$BACKEND'" >&2; exit 2 ;;
esac

for tool in $tools zstd openssl curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "/usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
[[ "$RUNS" =~ ^[1-9][0-9]*$ && "$TARGET_MB" =~ ^[1-9][0-9]*$ ]] || { echo "RUNS and TARGET_MB must be positive integers" >&2; exit 2; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  generator=()
  [ -f "$BUILD_DIR/CMakeCache.txt" ] || generator=(-G Ninja)
  cmake -S . -B "$BUILD_DIR" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release -DOEUVRE_BUILD_BENCH=ON \
    -DOEUVRE_BUILD_TESTS=OFF >/dev/null
  nice -n 19 cmake --build "$BUILD_DIR" -j2 --target oeuvre generate_pairs >/dev/null
fi
bin=${OEUVRE_BIN:-$BUILD_DIR/oeuvre}
generate_pairs=${GENERATE_PAIRS:-$BUILD_DIR/bench/generate_pairs}
[ -x "$bin" ] || { echo "missing $bin" >&2; exit 1; }
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$(dirname "$bin")/CMakeCache.txt" 2>/dev/null || true)
if [ "$build_type" != Release ]; then
  [ "${ALLOW_DEBUG:-0}" = 1 ] || { echo "$bin is not from a Release build (${build_type:-unknown}): set ALLOW_DEBUG=1 to measure it anyway" >&2; exit 1; }
  echo "WARNING: $bin is a ${build_type:-unknown} build, not Release: the figures are labelled with it"
fi

work=${WORK_DIR:-$(mktemp -d)}
mkdir -p "$work"
server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=""
}
cleanup() {
  stop_server
  [ "$BACKEND" = postgres ] && bash scripts/pg-test-server.sh stop "$work/pg" >/dev/null 2>&1
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work folder kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

pg_build=0
if [ "$BACKEND" = postgres ]; then
  if [ -n "${PG_URL:-}" ]; then
    pg_admin=$PG_URL
  else
    echo "starting a PostgreSQL 15 server in $work/pg"
    bash scripts/pg-test-server.sh start "$work/pg" >/dev/null
    pg_admin=$(cat "$work/pg/url")  # postgres://postgres@127.0.0.1:PORT/postgres
  fi
  pg_base=${pg_admin%/*}
  db_url=$pg_base/oeuvre_bench
  DB_DIR=$DATA_ROOT/backup-pg  # the server's log and uploads; the database itself lives in the server
  if [ "$(psql -X -At -d "$pg_admin" -c "SELECT count(*) FROM pg_database WHERE datname = 'oeuvre_bench'")" = 0 ]; then
    psql -X -q -d "$pg_admin" -c "CREATE DATABASE oeuvre_bench" >/dev/null
    rm -rf "$DB_DIR/var"  # the uploads of an earlier run belong to a database that is gone
    pg_build=1
  fi
else
  db_url=sqlite://$DB
fi
sql() { if [ "$BACKEND" = postgres ]; then psql -X -q -At -v ON_ERROR_STOP=1 -d "$db_url" -c "$1"; else sqlite3 "$DB" ".timeout 60000" "$1"; fi; }
db_bytes() {
  if [ "$BACKEND" = postgres ]; then sql "SELECT pg_database_size(current_database())"; else stat -c %s "$DB"; fi
}
db_mib() { echo $(($(db_bytes) / 1048576)); }

# --- the database: the app's own data, built once ------------------------------------------------
build_database() {
  [ -x "$generate_pairs" ] || { echo "missing $generate_pairs" >&2; exit 1; }
  mkdir -p "$PAIRS" "$DB_DIR"
  [ -f "$PAIRS/truth.csv" ] || "$generate_pairs" --records "$ROWS" --seed 7 --out "$PAIRS" >/dev/null
  local port password="bench password 1234" email="backup-bench@oeuvre.local" token project round=0
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  export DATABASE_URL=$db_url VAR_DIR=$DB_DIR/var PASSWORD_HASH_COST=minimal
  if [ "$BACKEND" = postgres ] || [ ! -f "$DB" ]; then
    printf '%s\n' "$password" | "$bin" user create --email "$email" --admin >/dev/null
  fi
  # SQLite has one writer: a 1M-line parse or a job's write holds it for many seconds (bench/jobs/run.sh).
  INGEST_WORKERS=2 JOB_WORKERS=1 DB_WAIT_TIMEOUT_MS=60000 ACCESS_TOKEN_TTL_SECONDS=86400 \
    "$bin" serve --port "$port" >"$DB_DIR/server.out" 2>"$DB_DIR/server.log" &
  server_pid=$!
  local base=http://127.0.0.1:$port
  for _ in $(seq 1 100); do curl -fs "$base/health/live" >/dev/null && break; sleep 0.1; done
  token=$(curl -fsS -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" \
    "$base/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  project=$(curl -fsS -H 'Content-Type: application/json' -H "Authorization: Bearer $token" \
    -d '{"name":"Backup benchmark"}' "$base/api/v1/projects" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  while [ "$(db_mib)" -lt "$TARGET_MB" ] && { [ "${FILL:-ingest}" = ingest ] || [ "$round" -eq 0 ]; }; do
    round=$((round + 1))
    echo "  ingest round $round: $ROWS + $ROWS lines and a job (database $(db_mib) MiB of $TARGET_MB)"
    python3 bench/jobs/jobs_bench.py run "$base" "$token" "$project" "$PAIRS/left.csv" "$PAIRS/right.csv" \
      "$round" "$server_pid" "$DB_DIR/round-$round.json" | sed 's/^/    /'
  done
  stop_server
  unset DATABASE_URL VAR_DIR
  # The server checkpoints on its way out; make sure the file is the whole database.
  [ "$BACKEND" = sqlite ] && sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  [ "${FILL:-ingest}" = sql ] && fill_by_sql
  # As a database that has been running a while would be: dead tuples gone, statistics current.
  [ "$BACKEND" = postgres ] && sql "VACUUM (ANALYZE)"
  return 0
}

# Doubles the records and the results (copies under new UUIDs, every other column as the app wrote it)
# until the database reaches TARGET_MB.
fill_by_sql() {
  local uuid="lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6)))"
  local columns_of="SELECT group_concat(name, ', ') FROM pragma_table_info('%s') WHERE name <> 'id'"
  if [ "$BACKEND" = postgres ]; then
    uuid="gen_random_uuid()"  # the ids are uuid columns on PostgreSQL
    columns_of="SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '%s' AND column_name <> 'id'"
  fi
  local table columns
  while [ "$(db_mib)" -lt "$TARGET_MB" ]; do
    echo "  SQL fill: copying every record and result under new ids (database $(db_mib) MiB of $TARGET_MB)"
    for table in records reconciliation_results; do
      # shellcheck disable=SC2059
      columns=$(sql "$(printf "$columns_of" "$table")")
      sql "INSERT INTO $table (id, $columns) SELECT $uuid, $columns FROM $table;"
    done
    [ "$BACKEND" = sqlite ] && sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  done
  return 0
}

if [ "$pg_build" = 1 ]; then
  echo "building the database oeuvre_bench (the app's data through its HTTP API)"
  build_database
elif [ "$BACKEND" = postgres ]; then
  [ "$(db_mib)" -ge "$TARGET_MB" ] || { echo "oeuvre_bench at $PG_URL is smaller than $TARGET_MB MiB: drop it to rebuild" >&2; exit 1; }
elif [ ! -f "$DB" ] || [ "$(db_mib)" -lt "$TARGET_MB" ]; then
  echo "building the database in $DB (the app's data through its HTTP API; kept for later runs)"
  build_database
fi
db_bytes=$(db_bytes)
rows=$(sql "SELECT (SELECT count(*) FROM records) || ' records, ' || (SELECT count(*) FROM reconciliation_results) || ' results, ' || (SELECT count(*) FROM reconciliation_jobs) || ' jobs'")

# --- the runs --------------------------------------------------------------------------------------
key=$(openssl rand -hex 32)
iv=$(openssl rand -hex 16)
empty_var=$work/empty-var
mkdir -p "$empty_var" "$work/app" "$work/pipe" "$work/times"
export BACKUP_ENCRYPTION_KEY=$key LOG_LEVEL=warn

timed() {  # timed NAME COMMAND...: /usr/bin/time -v into times/NAME
  /usr/bin/time -v -o "$work/times/$1" "${@:2}" >"$work/times/$1.out" 2>&1 ||
    { echo "failed: $*" >&2; cat "$work/times/$1.out" "$work/times/$1" >&2; exit 1; }
}

app_create() {  # app_create RUN
  rm -f "$work/app/"*.oeuvre-backup "$work/app/"*.manifest.json
  timed "app-create-$1" env DATABASE_URL="$db_url" VAR_DIR="$empty_var" BACKUP_DIR="$work/app" "$bin" backup create
  app_archive=$(ls "$work/app/"*.oeuvre-backup)
  app_id=$(basename "$app_archive" .oeuvre-backup)
}
pipe_create() {
  if [ "$BACKEND" = postgres ]; then
    timed "pipe-create-$1" bash -c 'set -euo pipefail
      pg_dump --format=plain --no-owner --no-privileges -d "$1" | zstd -q -'"$LEVEL"' -T1 -c \
        | openssl enc -aes-256-ctr -K "$2" -iv "$3" -out "$4"
      sync "$4"' _ "$db_url" "$key" "$iv" "$work/pipe/archive.zst.enc"
    return
  fi
  timed "pipe-create-$1" bash -c 'set -euo pipefail
    sqlite3 "$1" ".backup '"'"'$2'"'"'"
    zstd -q -'"$LEVEL"' -T1 -c "$2" | openssl enc -aes-256-ctr -K "$3" -iv "$4" -out "$5"
    sync "$5"
    rm -f "$2"' _ "$DB" "$work/pipe/copy.db" "$key" "$iv" "$work/pipe/archive.zst.enc"
}
# An empty PostgreSQL database NAME, made before a timed restore; prints its URL.
fresh_pg_database() {
  PGOPTIONS="-c client_min_messages=warning" psql -X -q -d "$pg_admin" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
  echo "$pg_base/$1"
}
app_restore() {
  rm -rf "$work/app-target"
  mkdir -p "$work/app-target"
  local target="sqlite://$work/app-target/oeuvre.db"
  [ "$BACKEND" = postgres ] && target=$(fresh_pg_database restored_app)
  timed "app-restore-$1" env DATABASE_URL="$db_url" VAR_DIR="$work/app-target/var" BACKUP_DIR="$work/app" \
    "$bin" backup restore "$app_id" --to "$target"
}
pipe_restore() {
  rm -rf "$work/pipe-target"
  mkdir -p "$work/pipe-target"
  if [ "$BACKEND" = postgres ]; then
    pipe_target=$(fresh_pg_database restored_pipe)
    timed "pipe-restore-$1" bash -c 'set -euo pipefail
      openssl enc -d -aes-256-ctr -K "$2" -iv "$3" -in "$1" | zstd -q -d -T1 -c \
        | psql -X -q -v ON_ERROR_STOP=1 --single-transaction -d "$4" >/dev/null' \
      _ "$work/pipe/archive.zst.enc" "$key" "$iv" "$pipe_target"
    return
  fi
  pipe_target=sqlite://$work/pipe-target/oeuvre.db
  timed "pipe-restore-$1" bash -c 'set -euo pipefail
    openssl enc -d -aes-256-ctr -K "$2" -iv "$3" -in "$1" | zstd -q -d -T1 -o "$4"
    sync "$4"' _ "$work/pipe/archive.zst.enc" "$key" "$iv" "$work/pipe-target/oeuvre.db"
}

echo "database ($BACKEND): ${db_url}, $(db_mib) MiB ($db_bytes bytes): $rows"
echo "binary: $bin (${build_type:-unknown} build); $(nproc) cores; load average $(cut -d' ' -f1 /proc/loadavg); zstd -$LEVEL (the pipeline -T1, the app two workers)"
echo "$RUNS runs, alternating: app create, pipeline create, app restore, pipeline restore"
for i in $(seq 1 "$RUNS"); do
  app_create "$i"
  pipe_create "$i"
  if [ "$RESTORE" = 1 ]; then
    app_restore "$i"
    pipe_restore "$i"
  fi
  echo "  run $i done (load average $(cut -d' ' -f1 /proc/loadavg))"
done
# The app's restore already compared every table's row count with the manifest; the pipeline's copy is
# checked the same way (not byte for byte: a SQLite copy's header says journal mode DELETE, the source WAL).
counts="SELECT (SELECT count(*) FROM records) || ' ' || (SELECT count(*) FROM reconciliation_results)"
if [ "$RESTORE" = 0 ]; then
  pipe_counts=$(sql "$counts")
elif [ "$BACKEND" = postgres ]; then
  pipe_counts=$(psql -X -q -At -d "$pipe_target" -c "$counts")
else
  pipe_counts=$(sqlite3 "$work/pipe-target/oeuvre.db" "$counts")
fi
[ "$(sql "$counts")" = "$pipe_counts" ] ||
  echo "warning: the pipeline's restored copy holds other row counts than the database" >&2
app_archive_bytes=$(stat -c %s "$app_archive")
pipe_archive_bytes=$(stat -c %s "$work/pipe/archive.zst.enc")

if [ "${PERF:-0}" = 1 ]; then
  command -v perf >/dev/null || { echo "perf is missing" >&2; exit 1; }
  rm -f "$work/app/"*.oeuvre-backup "$work/app/"*.manifest.json
  DATABASE_URL="$db_url" VAR_DIR="$empty_var" BACKUP_DIR="$work/app" \
    perf record -g -o "$work/create.perf" -- "$bin" backup create >/dev/null 2>&1
  app_id=$(basename "$(ls "$work/app/"*.oeuvre-backup)" .oeuvre-backup)
  rm -rf "$work/app-target" && mkdir -p "$work/app-target"
  target="sqlite://$work/app-target/oeuvre.db"
  [ "$BACKEND" = postgres ] && target=$(fresh_pg_database restored_app)
  DATABASE_URL="$db_url" VAR_DIR="$work/app-target/var" BACKUP_DIR="$work/app" \
    perf record -g -o "$work/restore.perf" -- "$bin" backup restore "$app_id" --to "$target" >/dev/null 2>&1
  for what in create restore; do
    echo "--- perf, oeuvre backup $what: samples by library, then the top symbols (self) ---"
    perf report -i "$work/$what.perf" --no-children --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -n 10 || true
    perf report -i "$work/$what.perf" --no-children --sort dso,symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -n 12 || true
  done
fi

python3 - "$work/times" "$RUNS" "$db_bytes" "$app_archive_bytes" "$pipe_archive_bytes" "$RESTORE" <<'PY'
import re, statistics, sys
times, runs, db_bytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
ops = ("create", "restore") if sys.argv[6] == "1" else ("create",)
archive = {"app": int(sys.argv[4]), "pipe": int(sys.argv[5])}
def parse(path):
    text = open(path).read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
    seconds = 0.0
    for part in wall.split(":"):
        seconds = seconds * 60 + float(part)
    rss_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
    cpu = float(re.search(r"User time \(seconds\): ([\d.]+)", text).group(1)) + \
        float(re.search(r"System time \(seconds\): ([\d.]+)", text).group(1))
    return seconds, rss_kib / 1024, cpu
med = {}
for side in ("app", "pipe"):
    for op in ops:
        runs_ = [parse(f"{times}/{side}-{op}-{i}") for i in range(1, runs + 1)]
        med[side, op] = tuple(statistics.median(r[k] for r in runs_) for k in range(3))
        print(f"  {side:4s} {op:7s} runs (s): " + ", ".join(f"{r[0]:.2f}" for r in runs_) +
              "; CPU (s): " + ", ".join(f"{r[2]:.2f}" for r in runs_) +
              "; peak RSS (MiB): " + ", ".join(f"{r[1]:.0f}" for r in runs_))
mb = db_bytes / 1e6
print(f"database {mb:.0f} MB; archives: oeuvre {archive['app'] / 1e6:.0f} MB, pipeline {archive['pipe'] / 1e6:.0f} MB")
print("medians; CPU = user + system seconds of all the side's processes (on a loaded machine a two-process")
print("pipeline also gets two shares of the CPU, so wall time favours it); speed = pipeline s / oeuvre s")
print(f"{'operation':9s} | {'oeuvre s':>8s} {'MB/s':>6s} {'CPU s':>6s} {'RSS MiB':>7s} | {'pipeline s':>10s} {'MB/s':>6s} {'CPU s':>6s} {'RSS MiB':>7s} | {'speed':>5s} {'CPU ratio':>9s}")
for op in ops:
    (a_s, a_rss, a_cpu), (p_s, p_rss, p_cpu) = med["app", op], med["pipe", op]
    print(f"{op:9s} | {a_s:8.2f} {mb / a_s:6.0f} {a_cpu:6.2f} {a_rss:7.0f} | {p_s:10.2f} {mb / p_s:6.0f} {p_cpu:6.2f} {p_rss:7.0f} | {p_s / a_s:5.2f} {p_cpu / a_cpu:9.2f}")
PY
