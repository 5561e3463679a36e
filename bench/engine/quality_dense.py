#!/usr/bin/env python3
"""Scores a reconciliation of generate_dense.py's data against its truth (issue 17).

    quality_dense.py TRUTH_CSV MATCHES_CSV [--label NAME] [--ignore-holds]

MATCHES_CSV is `oeuvre reconcile ... --out DIR`'s DIR/matches.csv: columns kind, status (matched or
suggested), left_ids, right_ids (ids joined by ';'). Each group is expanded into its left x right
pairs; a group of kind `offset` holds two bank ids in left_ids (right_ids empty) and stands for the
pair (first, second), in either order. Prints, one line each, prefixed with [NAME]:
  - pair precision / recall / F1 over everything proposed (matched + suggested), and over matched only;
  - precision of the auto-matched groups: a group is right iff its records are exactly one true group
    (all its pairs true, none of its records' true pairs missing), and the number of wrong ones;
  - per kind (1:1, recurring, split, partial, offset): true pairs, recall of proposed and of matched,
    and the precision of the proposed pairs that touch a record of that kind;
  - records without a partner (bank_only, near_miss, ledger_only, near_miss_decoy, reversal_invoice)
    put in some group: matched and suggested, separately (false matches);
  - recall of the splits of 2-3 invoices (pairs, and whole groups proposed exactly);
  - when matches.csv has a `held` column: the groups held as suggested, by reason, and how many of
    them are right (exactly one true group).
--ignore-holds counts a held group (non-empty `held`) as matched: the statuses the engine gave before
it held ambiguous groups and groups with an amount difference back as suggestions.
"""
import csv
import sys
from collections import defaultdict

from quality import prf, take_label  # the sibling script: pair P/R/F1 and --label

PAIR_KINDS = ("1:1", "recurring", "split", "partial", "offset")
ALONE_KINDS = ("bank_only", "near_miss", "ledger_only", "near_miss_decoy", "reversal_invoice")


def load_truth(path):
    """pairs: set of pair keys; kind_of: record -> kind; group_of: record -> frozenset of its true group.

    Records are ('L', bank id) or ('R', ledger id); a pair key is (left id, right id), an offset's is
    ('offset', smaller id, larger id)."""
    pairs, pair_kind = set(), {}
    kind_of = {}
    adj = defaultdict(set)
    with open(path, newline="") as f:
        rows = csv.reader(f)
        h = {name: i for i, name in enumerate(next(rows))}
        ik, il, ir = h["kind"], h["left_id"], h["right_id"]
        for row in rows:
            k, l, r = row[ik], row[il], row[ir]
            if k == "offset":
                a, b = ("L", l), ("L", r)
                key = ("offset",) + tuple(sorted((l, r)))
            elif l and r:
                a, b = ("L", l), ("R", r)
                key = (l, r)
            else:
                rec = ("L", l) if l else ("R", r)
                kind_of[rec] = k
                continue
            pairs.add(key)
            pair_kind[key] = k
            kind_of[a] = k
            kind_of[b] = k
            adj[a].add(b)
            adj[b].add(a)
    group_of = {}
    for start in adj:
        if start in group_of:
            continue
        seen, todo = {start}, [start]
        while todo:
            x = todo.pop()
            for y in adj[x]:
                if y not in seen:
                    seen.add(y)
                    todo.append(y)
        g = frozenset(seen)
        for x in seen:
            group_of[x] = g
    return pairs, pair_kind, kind_of, group_of


def load_groups(path, ignore_holds=False):
    """[(status, records, pair keys, held reason)] for every group of matches.csv."""
    groups = []
    with open(path, newline="") as f:
        rows = csv.reader(f)
        h = {name: i for i, name in enumerate(next(rows))}
        il, ir = h["left_ids"], h["right_ids"]
        ist, ihe, iki = h.get("status"), h.get("held"), h.get("kind")
        for row in rows:
            status = (row[ist] if ist is not None else "") or "matched"
            held = row[ihe] if ihe is not None else ""
            if held and ignore_holds:
                status = "matched"
            lefts = [x for x in row[il].split(";") if x]
            rights = [x for x in row[ir].split(";") if x]
            if iki is not None and row[iki] == "offset":
                recs = [("L", x) for x in lefts + rights]
                ids = lefts + rights
                keys = [("offset",) + tuple(sorted((ids[0], ids[1])))] if len(ids) >= 2 else []
            else:
                recs = [("L", x) for x in lefts] + [("R", x) for x in rights]
                keys = [(l, r) for l in lefts for r in rights]
            groups.append((status, recs, keys, held))
    return groups


def key_records(key):
    if key[0] == "offset":
        return (("L", key[1]), ("L", key[2]))
    return (("L", key[0]), ("R", key[1]))


def main():
    args = sys.argv[1:]
    label = take_label(args, "dense")
    ignore_holds = "--ignore-holds" in args
    if ignore_holds:
        args.remove("--ignore-holds")
    if len(args) != 2:
        sys.exit(__doc__)
    truth, pair_kind, kind_of, group_of = load_truth(args[0])
    groups = load_groups(args[1], ignore_holds)
    out = lambda s: print(f"[{label}] {s}")

    proposed, matched = set(), set()
    grouped = {"matched": set(), "suggested": set()}
    unknown = set()
    for status, recs, keys, _ in groups:
        (matched if status == "matched" else proposed).update(keys)
        grouped["matched" if status == "matched" else "suggested"].update(recs)
        unknown.update(x for x in recs if x not in kind_of)
    proposed |= matched
    n_matched_groups = sum(1 for s, _, _, _ in groups if s == "matched")
    out(f"truth pairs {len(truth)}; groups {len(groups)} ({n_matched_groups} matched); "
        f"proposed pairs {len(proposed)}, matched pairs {len(matched)}"
        + (f"; {len(unknown)} ids NOT IN TRUTH (e.g. {sorted(unknown)[:3]})" if unknown else ""))
    for name, pred in (("proposed", proposed), ("matched ", matched)):
        p, r, f = prf(pred, truth)
        out(f"pairs {name}  P {p:.4f}  R {r:.4f}  F1 {f:.4f}")

    def right(recs):  # exactly one whole true group
        return bool(recs) and recs[0] in group_of and group_of[recs[0]] == frozenset(recs)

    # Auto-matched groups: right iff exactly one whole true group.
    wrong = 0
    wrong_by_kind = defaultdict(int)
    for status, recs, keys, _ in groups:
        if status != "matched":
            continue
        if not right(recs):
            wrong += 1
            kinds = sorted({kind_of.get(x, "?") for x in recs})
            wrong_by_kind["+".join(kinds)] += 1
    prec = 1 - wrong / n_matched_groups if n_matched_groups else 0.0
    top = ", ".join(f"{k} {n}" for k, n in sorted(wrong_by_kind.items(), key=lambda x: -x[1])[:6])
    out(f"matched groups precision {prec:.4f}  wrong {wrong} of {n_matched_groups} (records' kinds: {top})")

    # Per kind.
    touch = defaultdict(lambda: [0, 0])  # kind -> [proposed pairs touching it, of which true]
    for k in proposed:
        hit = k in truth
        for kind in {kind_of.get(x) for x in key_records(k)}:
            touch[kind][0] += 1
            touch[kind][1] += hit
    for kind in PAIR_KINDS:
        t = {k for k in truth if pair_kind[k] == kind}
        n, tp = touch[kind]
        rp = len(t & proposed) / len(t) if t else 0.0
        rm = len(t & matched) / len(t) if t else 0.0
        out(f"{kind:9s} true pairs {len(t):6d}  recall proposed {rp:.4f}  matched {rm:.4f}  "
            f"precision of pairs touching it {tp / n if n else 0.0:.4f} ({n})")

    # Records without a partner that were grouped.
    for kind in ALONE_KINDS:
        recs = [x for x, k in kind_of.items() if k == kind]
        if not recs:
            continue
        a = sum(1 for x in recs if x in grouped["matched"])
        s = sum(1 for x in recs if x in grouped["suggested"])
        out(f"{kind:16s} {len(recs):6d} records, falsely matched {a} ({a / len(recs):.3f}), "
            f"suggested {s} ({s / len(recs):.3f})")

    # Splits of 2-3 invoices.
    split_groups = {group_of[("L", k[0])] for k in truth if pair_kind[k] == "split"}
    small = [g for g in split_groups if 3 <= len(g) <= 4]
    small_pairs = {k for k in truth if pair_kind[k] == "split" and 3 <= len(group_of[("L", k[0])]) <= 4}
    proposed_groups = {frozenset(recs) for _, recs, _, _ in groups}
    matched_groups = {frozenset(recs) for s, recs, _, _ in groups if s == "matched"}
    out(f"splits of 2-3 invoices: {len(small)} splits, pair recall proposed "
        f"{len(small_pairs & proposed) / max(1, len(small_pairs)):.4f} matched "
        f"{len(small_pairs & matched) / max(1, len(small_pairs)):.4f}; whole split proposed "
        f"{sum(1 for g in small if g in proposed_groups) / max(1, len(small)):.4f} matched "
        f"{sum(1 for g in small if g in matched_groups) / max(1, len(small)):.4f}")

    held = defaultdict(lambda: [0, 0])
    for _, recs, _, reason in groups:
        if reason:
            held[reason][0] += 1
            held[reason][1] += right(recs)
    if held:
        out("held groups" + (" (counted as matched)" if ignore_holds else "") + ": "
            + ", ".join(f"{r} {n} ({ok / n:.3f} right)" for r, (n, ok) in sorted(held.items())))


if __name__ == "__main__":
    main()
