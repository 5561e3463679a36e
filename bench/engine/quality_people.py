#!/usr/bin/env python3
"""Scores a person-record linkage (generate_people.py's data) against its truth.

    quality_people.py TRUTH_CSV MATCHES_CSV [--label NAME] [--show N LEFT_CSV RIGHT_CSV]

MATCHES_CSV is `oeuvre reconcile`'s matches.csv (left_ids, right_ids, status). Prints precision, recall
and F1 of the linked pairs over everything proposed (matched + suggested) and over the auto-matched
only, with the counts of wrong and missed pairs; with --show, the first N wrong and missed pairs side by
side (records from LEFT_CSV and RIGHT_CSV), to see what the rules get wrong.
"""
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quality import load_predictions, load_truth, prf, take_label  # noqa: E402


def take_show(args):
    if "--show" not in args:
        return None
    i = args.index("--show")
    show = (int(args[i + 1]), args[i + 2], args[i + 3])
    del args[i : i + 4]
    return show


def records(path):
    with open(path, newline="") as f:
        return {row["rec_id"]: row for row in csv.DictReader(f)}


def main():
    args = sys.argv[1:]
    label = take_label(args, "people")
    show = take_show(args)
    truth, _, dup = load_truth(args[0])
    predicted = load_predictions(args[1], dup)
    proposed = set(predicted)
    matched = {p for p, (_, s) in predicted.items() if s == "matched"}
    print(f"[{label}] true pairs {len(truth)}, proposed {len(proposed)} "
          f"(auto-matched {len(matched)}, suggested {len(proposed) - len(matched)})")
    for name, pred in (("proposed (matched+suggested)", proposed), ("auto-matched only", matched)):
        p, r, f = prf(pred, truth)
        print(f"[{label}] {name:30s} precision {p:.4f}  recall {r:.4f}  F1 {f:.4f}  "
              f"({len(pred - truth)} wrong, {len(truth - pred)} missed)")
    if show:
        n, left_path, right_path = show
        left, right = records(left_path), records(right_path)
        by_left = {l: r for l, r in truth}
        columns = [c for c in next(iter(left.values())).keys() if c != "rec_id"]

        def line(row):
            return " | ".join(row.get(c, "") for c in columns) if row else "(none)"

        for l, r in sorted(proposed - truth)[:n]:
            status = predicted[(l, r)][1]
            print(f"wrong ({status}): {l} -> {r}\n  L  {line(left.get(l))}\n  R  {line(right.get(r))}"
                  f"\n  R' {line(right.get(by_left.get(l)))}")
        for l, r in sorted(truth - proposed)[:n]:
            print(f"missed: {l} -> {r}\n  L  {line(left.get(l))}\n  R  {line(right.get(r))}")


if __name__ == "__main__":
    main()
