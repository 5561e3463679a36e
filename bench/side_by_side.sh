#!/usr/bin/env bash
# Runs the upload, jobs, HTTP and engine benchmarks for two checkouts in one session, alternating
# between them benchmark by benchmark, so that both columns see the same machine. Each checkout needs a
# Release tree at build/release with `oeuvre` and `bench/generate_pairs` built
# (-DOEUVRE_BUILD_BENCH=ON), and `bench/oeuvre-reconcile` for the engine part (1M x 1M, ENGINE_ROWS).
#
#   bench/side_by_side.sh OLD_CHECKOUT NEW_CHECKOUT [OUT_DIR]
#   PARTS="http" bench/side_by_side.sh /work/wt/base .
#
# Environment: PARTS ("upload jobs http engine"), ROWS (1000000), RUNS (3), and what the benchmark scripts
# read. Each benchmark's output goes to OUT_DIR/<part>-<old|new>.txt (OUT_DIR defaults to a new temp
# folder, printed at the start); the tables are printed as they come.
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,11p "$0" >&2; exit 2; }
old=$(cd "$1" && pwd)
new=$(cd "$2" && pwd)
out=${3:-$(mktemp -d)}
mkdir -p "$out"
parts=${PARTS:-"upload jobs http engine"}
export ROWS=${ROWS:-1000000} RUNS=${RUNS:-3}
echo "old: $old ($(git -C "$old" rev-parse --short HEAD)), new: $new ($(git -C "$new" rev-parse --short HEAD)); output in $out"
for tree in "$old" "$new"; do
  for binary in oeuvre bench/generate_pairs; do
    [ -x "$tree/build/release/$binary" ] || { echo "$tree/build/release/$binary is missing" >&2; exit 1; }
  done
done

pg=""
cleanup() { [ -z "$pg" ] || bash "$new/scripts/pg-test-server.sh" stop "$pg" >/dev/null 2>&1 || true; }
trap cleanup EXIT

run() {  # run PART LABEL TREE COMMAND...
  local part=$1 label=$2 tree=$3
  shift 3
  echo "== $part, $label: $*"
  (cd "$tree" && "$@") >"$out/$part-$label.txt" 2>&1 || { echo "failed: see $out/$part-$label.txt" >&2; return 1; }
  tail -n 12 "$out/$part-$label.txt"
}

http_on_postgres() {  # http_on_postgres LABEL TREE: a fresh database on the shared server
  local label=$1 tree=$2
  local url
  url=$(cat "$pg/url")
  psql "$url" -qc "DROP DATABASE IF EXISTS http_$label" -c "CREATE DATABASE http_$label" >/dev/null
  run http-postgres "$label" "$tree" env DATABASE_URL="${url%/*}/http_$label" bash bench/http_bench.sh
}

for part in $parts; do
  case "$part" in
    upload)
      for label in old new; do
        tree=$old; [ "$label" = new ] && tree=$new
        run upload "$label" "$tree" bash bench/ingest/upload_bench.sh
      done ;;
    jobs)
      for label in old new; do
        tree=$old; [ "$label" = new ] && tree=$new
        run jobs "$label" "$tree" env BUILD_DIR=build/release SKIP_BUILD=1 DB_WAIT_TIMEOUT_MS=60000 \
          bash bench/jobs/run.sh
      done ;;
    http)
      pg=$(mktemp -d)
      chmod 755 "$pg"
      bash "$new/scripts/pg-test-server.sh" start "$pg" >/dev/null
      run http-sqlite old "$old" bash bench/http_bench.sh
      run http-sqlite new "$new" bash bench/http_bench.sh
      http_on_postgres old "$old"
      http_on_postgres new "$new" ;;
    engine)
      for label in old new; do
        tree=$old; [ "$label" = new ] && tree=$new
        run engine "$label" "$tree" env BUILD_DIR="$tree/build/release" \
          bash bench/engine/run.sh "${ENGINE_ROWS:-1000000}" "$RUNS"
      done ;;
    *) echo "unknown part '$part' (upload, jobs, http, engine)" >&2; exit 2 ;;
  esac
done
