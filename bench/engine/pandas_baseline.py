#!/usr/bin/python3
"""The reconciliation a finance analyst would write in pandas (the baseline for oeuvre reconcile).

    pandas_baseline.py LEFT_CSV RIGHT_CSV OUT_DIR

Reads the generator's bank statement (left) and ledger (right), joins them on equal amounts, keeps
pairs within 7 days, scores them with jellyfish Jaro-Winkler on reference and counterparty, and keeps
the best pair per record greedily (sort by score, drop duplicates on each side). One-to-one only.
Writes OUT_DIR/matches.csv with the columns quality.py reads.
Needs the Debian packages python3-pandas and python3-jellyfish (run with /usr/bin/python3).
"""
import os
import sys

import jellyfish
import pandas as pd


def main():
    left_path, right_path, out_dir = sys.argv[1:4]
    bank = pd.read_csv(left_path, dtype=str, keep_default_na=False)
    ledger = pd.read_csv(right_path, dtype=str, keep_default_na=False)

    # Amounts in cents (as integers, to join exactly); the bank has Money Out / Money In columns.
    def cents(series):
        return (pd.to_numeric(series.replace("", "0")) * 100).round().astype("int64")

    bank["amount"] = cents(bank["Money In"]) - cents(bank["Money Out"])
    bank["date"] = pd.to_datetime(bank["Booking Date"], dayfirst=True)
    ledger["amount"] = cents(ledger["amount"])
    ledger["date"] = pd.to_datetime(ledger["date"])

    left = bank[["Transaction ID", "date", "amount", "Reference", "Counterparty"]].rename(
        columns={"Transaction ID": "left_id", "Reference": "ref_l", "Counterparty": "cp_l"})
    right = ledger[["id", "date", "amount", "ref", "payee"]].rename(
        columns={"id": "right_id", "ref": "ref_r", "payee": "cp_r"})

    pairs = left.merge(right, on="amount", suffixes=("_l", "_r"))
    pairs = pairs[(pairs["date_r"] - pairs["date_l"]).abs().dt.days <= 7]

    def jw(a, b):
        return jellyfish.jaro_winkler_similarity(a.upper(), b.upper()) if a and b else 0.0

    pairs = pairs.assign(
        ref_score=[jw(a, b) for a, b in zip(pairs["ref_l"], pairs["ref_r"])],
        cp_score=[jw(a, b) for a, b in zip(pairs["cp_l"], pairs["cp_r"])],
    )
    pairs["score"] = 0.5 + 0.3 * pairs["ref_score"] + 0.2 * pairs["cp_score"]
    pairs = pairs.sort_values(["score", "left_id", "right_id"], ascending=[False, True, True])
    pairs = pairs.drop_duplicates("left_id").drop_duplicates("right_id")

    os.makedirs(out_dir, exist_ok=True)
    out = pd.DataFrame({
        "left_ids": pairs["left_id"],
        "right_ids": pairs["right_id"],
        "kind": "1:1",
        "status": "matched",
        "confidence": pairs["score"].round(4),
    })
    out.to_csv(os.path.join(out_dir, "matches.csv"), index=False)
    print(f"pandas baseline: {len(out)} pairs written to {out_dir}/matches.csv")


if __name__ == "__main__":
    main()
