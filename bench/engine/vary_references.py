#!/usr/bin/env python3
"""Rewrites the invoice numbers on the bank side of generate_dense.py's data the ways payers write them.

generate_dense.py writes a payment's invoice number as the ledger has it (INV-2025-105395), without
dashes or with spaces, and now and then with a typo. Payers also drop the prefix, the year, or both:
"Inv 105395", "2025/105395", "INVOICE NO 105395", "105395". This rewrites every invoice number in the
bank file (reference and description alike) one of those ways, at random, so that a benchmark shows
what the engine loses when the bank's numbers are not written the ledger's way. The ledger and the
truth are left as they are (copy them beside the output).

    bench/engine/vary_references.py DIR/left.csv OUT/left.csv [--seed 1]
    cp DIR/right.csv DIR/truth.csv OUT/
"""
import argparse
import csv
import random
import re

NUMBER = re.compile(r"INV[- ]?2025[- ]?(\d{6})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source", help="the bank file written by generate_dense.py (left.csv)")
    ap.add_argument("target")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    r = random.Random(a.seed)

    def rewrite(m):
        n = m.group(1)
        u = r.random()
        if u < 0.35:
            return m.group(0)  # as it was
        if u < 0.55:
            return n
        if u < 0.70:
            return "2025/" + n
        if u < 0.85:
            return "Inv " + n
        return "INVOICE NO " + n

    with open(a.source, newline="") as f:
        rows = list(csv.reader(f))
    with open(a.target, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(rows[0])
        for row in rows[1:]:
            out.writerow([NUMBER.sub(rewrite, cell) for cell in row])


if __name__ == "__main__":
    main()
