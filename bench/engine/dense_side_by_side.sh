#!/usr/bin/env bash
# Issue 17: two `oeuvre` binaries on the dense bank-vs-ledger data of generate_dense.py, side by side
# in one run, alternating run by run: wall time and peak RSS (/usr/bin/time), and the quality of the
# last run of each (quality_dense.py). Extra `oeuvre reconcile` options per binary (e.g. to compare
# the rules' weights with a learned model in one binary) go in OLD_ARGS / NEW_ARGS.
#
#   bench/engine/dense_side_by_side.sh OLD_OEUVRE NEW_OEUVRE [SIZE ...]
#   RUNS=3 SEED=17 DATA=/tmp/dense bench/engine/dense_side_by_side.sh /work/wt/prev/build/release/oeuvre build/release/oeuvre 20000 200000
#   OLD_ARGS="--rules fixed.json" bench/engine/dense_side_by_side.sh build/release/oeuvre build/release/oeuvre 20000
#
# Data is generated once per size and seed under DATA/<size> (DATA/<size>-s<seed> for a seed other
# than 17). VARY=1 runs on a copy whose bank side writes the invoice numbers the ways payers do
# (vary_references.py: "Inv 105395", "2025/105395", ...), under DATA/<size>[-s<seed>]-varied.
# Prints each run, then per size and binary: the median wall time, the largest peak RSS, and
# quality_dense.py's overall lines.
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,15p "$0" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
old=$1
new=$2
shift 2
sizes=(20000 200000)
[ $# -ge 1 ] && sizes=("$@")
runs=${RUNS:-3}
seed=${SEED:-17}
data=${DATA:-/tmp/dense}
read -r -a old_args <<<"${OLD_ARGS:-}"
read -r -a new_args <<<"${NEW_ARGS:-}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
echo "old: $old ${old_args[*]}; new: $new ${new_args[*]}; seed $seed; $runs runs each; $(nproc) cores"
for n in "${sizes[@]}"; do
  dir=$data/$n
  [ "$seed" = 17 ] || dir=$data/$n-s$seed
  if [ ! -f "$dir/truth.csv" ]; then
    mkdir -p "$dir"
    python3 "$here/generate_dense.py" "$n" "$dir" --seed "$seed" >/dev/null
  fi
  if [ "${VARY:-0}" = 1 ]; then
    if [ ! -f "$dir-varied/truth.csv" ]; then
      mkdir -p "$dir-varied"
      python3 "$here/vary_references.py" "$dir/left.csv" "$dir-varied/left.csv"
      cp "$dir/right.csv" "$dir/truth.csv" "$dir-varied/"
    fi
    dir=$dir-varied
  fi
  for i in $(seq 1 "$runs"); do
    order=(old new)
    [ $((i % 2)) = 0 ] && order=(new old)
    for which in "${order[@]}"; do
      if [ "$which" = old ]; then bin=$old; args=("${old_args[@]}"); else bin=$new; args=("${new_args[@]}"); fi
      /usr/bin/time -f "%e %M" -o "$work/time" "$bin" reconcile "$dir/left.csv" "$dir/right.csv" \
        --out "$work/$which-$n" --quiet "${args[@]}"
      read -r seconds kb <"$work/time"
      echo "$n $which run $i: $seconds s, $((kb / 1024)) MB"
      echo "$seconds" >>"$work/$which-$n.seconds"
      echo "$kb" >>"$work/$which-$n.kb"
    done
  done
  for which in old new; do
    echo "== $n $which: median $(median <"$work/$which-$n.seconds") s, peak $(( $(sort -n "$work/$which-$n.kb" | tail -1) / 1024 )) MB"
    python3 "$here/quality_dense.py" "$dir/truth.csv" "$work/$which-$n/matches.csv" --label "$n $which" | sed -n 2,4p
  done
done
