#!/usr/bin/env python3
"""Removes the bank side's Reference column from generate_dense.py's data, as many bank exports have none.

The reference's text goes to the end of the description when the description does not already quote
it, so the invoice numbers stay where such exports keep them (the remittance text). The ledger and the
truth are left as they are (copy them beside the output).

    bench/engine/drop_reference_column.py DIR/left.csv OUT/left.csv
    cp DIR/right.csv DIR/truth.csv OUT/
"""
import argparse
import csv


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source", help="the bank file written by generate_dense.py (left.csv)")
    ap.add_argument("target")
    a = ap.parse_args()
    with open(a.source, newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    ref, desc = header.index("Reference"), header.index("Description")
    with open(a.target, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow([c for i, c in enumerate(header) if i != ref])
        for row in rows[1:]:
            if row[ref] and row[ref] not in row[desc]:
                row[desc] = row[desc] + " " + row[ref]
            out.writerow([c for i, c in enumerate(row) if i != ref])


if __name__ == "__main__":
    main()
