#!/usr/bin/env bash
# Bank statement throughput (issue 18): the same N transactions (default 1,000,000) as camt.053, as
# MT940 and as CSV, each uploaded to a Release `oeuvre serve` and parsed into stored records, side by
# side in one run; the time from the upload's first byte to the file's status 'parsed', RUNS runs of
# each format in turn (the order rotates), the medians, and each bank format's ratio to CSV (goal:
# within 2x). A bank file's time includes the read-through at upload that lists its statements,
# refuses a statement uploaded twice and spools the transactions, and the background parse that
# plays them back; a CSV's only the background parse. The spool's size is printed too.
#
#   bench/bank_ingest.sh                          # 1M transactions, SQLite under a temp dir
#   N=200000 RUNS=3 bench/bank_ingest.sh
#   DATABASE_URL=postgres://... bench/bank_ingest.sh
#   SKIP_BUILD=1 bench/bank_ingest.sh             # build/release/oeuvre as it is
#   FILES=/tmp/bank bench/bank_ingest.sh          # files generate_statements.py wrote there before
#
# Peak memory of the server is printed too (VmHWM from /proc), to show that a large statement does
# not grow the process with its size.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib/http_server.sh
N=${N:-1000000}
bench_setup
bench_start bank INGEST_WORKERS=1 MAX_UPLOAD_BYTES=4294967296
token=$(bench_token "$base")
project=$(bench_project "$base" "$token")
if [ -n "${FILES:-}" ] && [ -f "$FILES/statement.xml" ]; then
  ln -s "$(realpath "$FILES")" "$work/files"  # generated before with the same N
else
  echo "generating $N transactions as camt.053, MT940 and CSV..." >&2
  python3 bench/bank/generate_statements.py "$N" "$work/files"
fi
ls -la "$work/files" | awk 'NR>1 {print "  " $5 " bytes  " $9}' >&2

auth=(-H "Authorization: Bearer $token")
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
now() { date +%s.%N; }

# run FORMAT FILE: prints seconds from upload to parsed, and the rows stored
run() {
  local name=$1 file=$2 source id status start end body
  # After the last run's file was deleted, SQLite may still be busy removing its records: retry.
  for _ in $(seq 1 120); do
    curl -fs "${auth[@]}" "$base/api/v1/projects/$project" >/dev/null && break
    sleep 1
  done
  source=$(curl -fs --retry 30 --retry-all-errors --retry-delay 1 "${auth[@]}" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$name $RANDOM\",\"kind\":\"bank\",\"column_mapping\":{\"columns\":{\"date\":\"booking_date\"},\"default_currency\":\"EUR\"}}" \
    "$base/api/v1/projects/$project/data-sources" | json_field id)
  start=$(now)
  body=$(curl -s "${auth[@]}" -H 'Content-Type: application/octet-stream' --data-binary "@$file" \
    "$base/api/v1/data-sources/$source/files?filename=$(basename "$file")")
  id=$(echo "$body" | json_field id 2>/dev/null) || { echo "$name: the upload failed: $body" >&2; exit 1; }
  uploaded=$(now)
  # The transactions read at upload, spooled for the parse (removed once it has played them back).
  spooled=$(du -sb "$VAR_DIR/uploads/spool" 2>/dev/null | cut -f1)
  while true; do
    # A read may be answered 503 while SQLite's one writer stores a large file: ask again.
    body=$(curl -fs "${auth[@]}" "$base/api/v1/files/$id" || echo '{"status":"busy"}')
    status=$(echo "$body" | json_field status)
    [ "$status" = parsed ] || [ "$status" = failed ] && break
    sleep 0.2
  done
  end=$(now)
  [ "$status" = parsed ] || { echo "$name: $status: $(echo "$body" | json_field error)" >&2; exit 1; }
  echo "$(echo "$end - $start" | bc -l) $(echo "$body" | json_field rows_ok) $(echo "$uploaded - $start" | bc -l) ${spooled:-0}"
  curl -fs -XDELETE "${auth[@]}" "$base/api/v1/files/$id" >/dev/null
}

echo "$(nproc) cores; database: ${DATABASE_URL%%:*}; $N transactions; $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
declare -A times
formats=(csv camt mt940)
declare -A files=([csv]="$work/files/statement.csv" [camt]="$work/files/statement.xml" [mt940]="$work/files/statement.sta")
for i in $(seq 1 "$RUNS"); do
  for k in 0 1 2; do
    f=${formats[$(((i + k) % 3))]}
    read -r seconds rows upload spooled < <(run "$f" "${files[$f]}")
    [ "$rows" = "$N" ] || { echo "$f stored $rows records, not $N" >&2; exit 1; }
    times[$f]="${times[$f]:-} $seconds"
    printf '  run %d %-6s %8.2f s  %9.0f records/s  (upload answered after %.2f s; spool %d MB)\n' "$i" "$f" \
      "$seconds" "$(echo "$N / $seconds" | bc -l)" "$upload" "$((spooled / 1000000))"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
csv=$(echo "${times[csv]}" | median)
for f in csv camt mt940; do
  m=$(echo "${times[$f]}" | median)
  printf '%-6s median %8.2f s  %9.0f records/s  %.2fx CSV\n' "$f" "$m" "$(echo "$N / $m" | bc -l)" "$(echo "$m / $csv" | bc -l)"
done
echo "server peak RSS (VmHWM): $(awk '/VmHWM/ {print $2, $3}' "/proc/$pid/status")"
