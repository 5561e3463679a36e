#!/usr/bin/env python3
"""Scores a reconciliation against the generator's truth.

    quality.py TRUTH_CSV MATCHES_CSV [--label NAME]

MATCHES_CSV needs the columns left_ids, right_ids (ids joined by ';'), kind (1:1, 1:N, N:1) and status
(matched or suggested; a file without status counts every row as matched). Every group is expanded into
its left x right pairs. A ledger line booked twice counts as its original (the two are identical).
Prints precision, recall and F1 of pairs: over everything proposed (matched + suggested) and over the
auto-matched only; F1 of the 1:1 pairs; recall of the 1:N and N:1 pairs.
"""
import csv
import sys


def load_truth(path):
    pairs, kinds, dup = set(), {}, {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["kind"] == "dup":
                dup[row["left_id"]] = row["right_id"]
                continue
            pair = (row["left_id"], row["right_id"])
            pairs.add(pair)
            kinds[pair] = row["kind"]
    return pairs, kinds, dup


def load_predictions(path, dup):
    predicted = {}  # pair -> (group kind, status)
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            status = row.get("status", "matched") or "matched"
            lefts = [x for x in row["left_ids"].split(";") if x]
            rights = [dup.get(x, x) for x in row["right_ids"].split(";") if x]
            for l in lefts:
                for r in rights:
                    predicted[(l, r)] = (row.get("kind", "1:1"), status)
    return predicted


def prf(predicted, truth):
    hit = len(predicted & truth)
    p = hit / len(predicted) if predicted else 0.0
    r = hit / len(truth) if truth else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def take_label(args, default):
    """Removes `--label NAME` from args and returns NAME (default when absent)."""
    if "--label" not in args:
        return default
    i = args.index("--label")
    label = args[i + 1]
    del args[i : i + 2]
    return label


def main():
    args = sys.argv[1:]
    label = take_label(args, "engine")
    truth, kinds, dup = load_truth(args[0])
    predicted = load_predictions(args[1], dup)
    everything = set(predicted)
    matched = {p for p, (_, s) in predicted.items() if s == "matched"}
    truth_11 = {p for p in truth if kinds[p] == "1:1"}
    pred_11 = {p for p, (k, _) in predicted.items() if k == "1:1"}
    print(f"[{label}] truth pairs {len(truth)} (1:1 {len(truth_11)}), proposed pairs {len(everything)}, auto-matched {len(matched)}")
    for name, pred in (("proposed (matched+suggested)", everything), ("auto-matched only", matched)):
        p, r, f = prf(pred, truth)
        print(f"[{label}] {name:30s} precision {p:.4f}  recall {r:.4f}  F1 {f:.4f}")
    p, r, f = prf(pred_11, truth_11)
    print(f"[{label}] 1:1 pairs                      precision {p:.4f}  recall {r:.4f}  F1 {f:.4f}")
    for kind in ("1:N", "N:1"):
        t = {p for p in truth if kinds[p] == kind}
        if t:
            print(f"[{label}] {kind} pairs recall {len(t & everything) / len(t):.4f} ({len(t)} true pairs)")


if __name__ == "__main__":
    main()
