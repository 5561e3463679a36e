#!/usr/bin/env bash
# Byte-for-byte comparison of two `oeuvre` binaries' `reconcile` outputs: every engine case under
# tests/engine_cases (with its rules.json) and a generated RECORDS×RECORDS pair (bench/engine's
# generator, seed 7), in CSV and in JSON. CSV files and summary.json (without its run time) must be
# identical; JSON files are compared as JSON values (numbers by value), since their number spelling
# may change between versions (and explanation lines' "left"/"right" read as "left_value"/"right_value",
# their names since 28a9cda). Prints one line per comparison and exits non-zero on a difference.
#
#   bench/engine/compare_outputs.sh OLD_OEUVRE NEW_OEUVRE GENERATE_PAIRS [RECORDS]
set -euo pipefail
OLD=$1
NEW=$2
GENERATE=$3
RECORDS=${4:-100000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

# compare NAME LEFT RIGHT [RULES [NEW_ARGS...]]: NEW_ARGS go to the new binary only (options the old
# one does not have, such as a case's mapping files).
compare() {
  local name=$1 left=$2 right=$3 rules=${4:-}
  shift 4 || shift $#
  local args=() new_args=("$@")
  [ -n "$rules" ] && args+=(--rules "$rules")
  for format in csv json; do
    for which in old new; do
      local bin=$OLD extra=()
      [ "$which" = new ] && bin=$NEW && extra=("${new_args[@]}")
      "$bin" reconcile "$left" "$right" "${args[@]}" "${extra[@]}" --format "$format" --quiet \
        --out "$work/$which" > /dev/null 2> "$work/$which.err" || echo "exit $?" >> "$work/$which.err"
    done
    if [ ! -d "$work/old" ] && [ ! -d "$work/new" ] && \
       [ "$(tail -1 "$work/old.err")" = "$(tail -1 "$work/new.err")" ]; then
      echo "same      $name ($format): both refused, $(tail -1 "$work/new.err")"
      continue
    fi
    if python3 - "$work/old" "$work/new" "$format" <<'PY'
import json, os, sys
old, new, fmt = sys.argv[1:4]
def same_names(value):
    # Explanation lines said "left"/"right" before 28a9cda and "left_value"/"right_value" since (as the API).
    if isinstance(value, list):
        return [same_names(v) for v in value]
    if isinstance(value, dict):
        renamed = {"left": "left_value", "right": "right_value"} if "contribution" in value else {}
        return {renamed.get(k, k): same_names(v) for k, v in value.items()}
    return value
def load(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".json"):
        value = same_names(json.loads(data))
        if isinstance(value, dict):
            value.pop("seconds", None)
            value.pop("left_rows_failed", None)
            value.pop("right_rows_failed", None)
        return value
    return data
names = sorted(n for n in os.listdir(old) if n.endswith("." + fmt) or n == "summary.json")
new_names = sorted(n for n in os.listdir(new) if (n.endswith("." + fmt) or n == "summary.json") and not n.startswith("rejected_"))
if names != new_names:
    print("  files differ:", names, new_names); sys.exit(1)
bad = [n for n in names if load(os.path.join(old, n)) != load(os.path.join(new, n))]
if bad:
    print("  differ:", ", ".join(bad)); sys.exit(1)
PY
    then
      echo "same      $name ($format)"
    else
      echo "DIFFERENT $name ($format)"; status=1
    fi
    if ! diff -q <(sed 's/^.*: //' "$work/old.err") <(sed 's/^.*: //' "$work/new.err") > /dev/null; then
      echo "          stderr: old: $(head -c 300 "$work/old.err") | new: $(head -c 300 "$work/new.err")"
    fi
    rm -rf "$work/old" "$work/new"
  done
}

for dir in "$ROOT"/tests/engine_cases/*/; do
  rules=""
  [ -f "$dir/rules.json" ] && rules="$dir/rules.json"
  mappings=()
  for side in left right; do
    [ -f "$dir/${side}_mapping.json" ] && mappings+=("--$side-mapping" "$dir/${side}_mapping.json")
  done
  compare "$(basename "$dir")" "$dir/left.csv" "$dir/right.csv" "$rules" "${mappings[@]}"
done
mkdir -p "$work/pair"
"$GENERATE" --records "$RECORDS" --seed 7 --out "$work/pair" > /dev/null
compare "generated $RECORDS" "$work/pair/left.csv" "$work/pair/right.csv"
exit $status
