#!/usr/bin/env python3
"""Dense bank-vs-ledger data with known truth (issue 17): few counterparties, many lines a day.

    bench/engine/generate_dense.py N OUT_DIR [--seed S]

Writes OUT_DIR/left.csv (the bank: customer payments), OUT_DIR/right.csv (the ledger: invoices) and
OUT_DIR/truth.csv. N is about the number of bank lines; the ledger has ~5% fewer. Standard library
only, deterministic for a seed (default 17); 200,000 take ~7 s, 1,000,000 ~35 s and ~0.9 GB.

The shape of the held-out data: 12 customers over ten months (2025-01-01 .. 2025-10-31), so at
N = 200,000 each has ~55 bank lines a day (~75 a working day: invoices are dated on working days and
the bank books on working days). Amounts are log-normal (median ~665) between 20.00 and 20,000.00,
32% of them round (to 100, 50, 10 or 1), so equal amounts of one customer within a week recur by
chance at that size. Invoice numbers (INV-2025-NNNNNN) run in date order over all invoices, so
invoices of the same days differ by a digit or two.

Kinds, as shares of the truth rows (a split is ~2.95 rows, a partial ~2.4: the issue's "rough mix"
read as shares of rows, which is what its 20k figures allow):
  1:1        ~64%  one payment, one invoice, same amount; invoice number on 60% of the payments
                   (in the Reference field, 12% of those only in the description)
  split       ~7%  one payment for 2 (45%), 3 (35%) or 4 invoices of one customer dated 0-5 days
                   before it (sum exact); ref = first number (45%), "INV-a INV-b" (10%) or none
  partial     ~6%  2-3 payments for one invoice (sum exact; a round first instalment or equal ones),
                   the first 0-5 days after it; 60% within a few days, 40% stretched up to 20 days
                   (beyond the default 7-day window); the invoice number on each with 50%
  recurring   ~8%  subscriptions: one customer, one price (49.00 .. 2,499.00, 16 prices, 99.00 the
                   most common), every month on the same day of month, ~15 per customer at 20k
                   and ~150 at 200k, so many equal amounts; customers either quote the number
                   (85% of their payments) or not (15%)
  near_miss   ~4%  a payment without reference whose invoice is not in the ledger, while an invoice of
                   the same customer within a week differs by 0.1-1% (the decoy: 10% of them are open
                   invoices, truth kind near_miss_decoy; 90% are paid by a payment of their own, 1:1)
  offset      ~2%  a payment and its return (same amount negated, 0-5 days later, RETURN /
                   R-TRANSACTION text, same reference); 5% of the originals are for an invoice that
                   is in the ledger and stays open (truth kind reversal_invoice)
  bank_only   ~3%  fees (negative), interest, and payments of invoices not (yet) in the ledger
  ledger_only ~5%  open invoices

Bank dates are 0-5 days after the invoice (rolled to the next Monday on a weekend, so up to 7).
The bank writes the customer's name its own way (upper case, suffix dropped or spelt differently,
cut to 20 characters) and the reference its own way at times (no dashes, a transposed digit).

truth.csv: kind,left_id,right_id, one row per true pair: 1:1, recurring, split (left = the payment,
right = each invoice), partial (left = each payment, right = the invoice), offset (left = the original
payment, right = its return, both BANK ids); and one row per record without a partner: bank_only,<id>,
/ near_miss,<id>, / ledger_only,,<id> / near_miss_decoy,,<id> / reversal_invoice,,<id>.
"""
import argparse
import csv
import datetime
import math
import os
import random
import sys
import time

DAYS = 304  # 2025-01-01 .. 2025-10-31
START = datetime.date(2025, 1, 1)

COMPANIES = [  # (ledger name, relative volume)
    ("Northwind Trading GmbH", 1.6),
    ("Blue Harbor Logistics Ltd", 1.5),
    ("Acme Industries AG", 1.4),
    ("Globex Corporation Inc", 1.25),
    ("Initech Software GmbH", 1.1),
    ("Umbrella Pharma SA", 1.0),
    ("Stark Engineering Ltd", 0.95),
    ("Wayne Enterprises LLC", 0.9),
    ("Hooli Analytics BV", 0.8),
    ("Vandelay Industries Inc", 0.7),
    ("Soylent Foods GmbH", 0.6),
    ("Cyberdyne Systems AG", 0.5),
]
SUFFIX_VARIANTS = {"GmbH": "G.M.B.H.", "Ltd": "Limited", "AG": "A.G.", "Inc": "Incorporated",
                   "SA": "S.A.", "LLC": "L.L.C.", "BV": "B.V."}

# Items per kind, so that the truth rows come out about 1:1 60%, split 8%, partial 6%, recurring 8%,
# near_miss 4%, offset 2%, bank_only 3%, ledger_only 5% (a split is ~2.95 rows, a partial ~2.4).
# Items (true groups or lone records) of each kind.
SHARES = [("1:1", 0.60), ("split", 0.08 / 2.95), ("partial", 0.06 / 2.4), ("recurring", 0.08),
          ("near_miss", 0.04), ("reversal", 0.02), ("bank_only", 0.03), ("ledger_only", 0.05)]
# Cumulative shares of amounts rounded to 100, 50, 10 and 1 (the rest has cents).
ROUND = (0.08, 0.12, 0.22, 0.32)
DECOY_OPEN = 0.1  # share of near-miss decoys that are open invoices (the others are paid, 1:1)
REVERSED_IN_LEDGER = 0.05  # share of reversed payments whose invoice is in the ledger (and stays open)
# Bank lines per item of each kind, to turn N bank lines into a number of items.
BANK_PER_ITEM = {"1:1": 1, "split": 1, "partial": 2.4, "recurring": 1, "near_miss": 2 - DECOY_OPEN,
                 "reversal": 2, "bank_only": 1, "ledger_only": 0}
PRICES = [(4900, 2), (7900, 1), (9900, 3), (12900, 1), (14900, 2), (19900, 2), (24900, 1), (29900, 2),
          (34900, 1), (39900, 1), (49900, 2), (74900, 1), (99900, 2), (124900, 1), (149900, 1), (249900, 1)]

WITH_REF = ["SEPA CREDIT TRANSFER {n} {r}", "{r} {n}", "INCOMING PAYMENT {n} REF {r}", "SEPA CT {r}",
            "GIRO CREDIT {n} {r}", "PAYMENT {r}"]
NO_REF = ["PAYMENT {n}", "SEPA CREDIT TRANSFER {n}", "GIRO CREDIT {n}", "{n}", "INCOMING PAYMENT {n}",
          "TRANSFER FROM {n}"]
RETURNS = ["RETURN {n} {r}", "R-TRANSACTION {n} {r} AC04", "SEPA RETURN {n} {r}", "RETURNED PAYMENT {n} {r}"]
FEES = [("ACCOUNT MAINTENANCE FEE", [500, 750, 1500]), ("SEPA TRANSACTION FEE", [25, 35, 50]),
        ("CARD FEE", [250, 1200]), ("FOREIGN PAYMENT CHARGE", [1250, 2500, 3500])]


def bank_names(name):
    """The ways a bank writes a customer's name, most common first."""
    base, _, suffix = name.rpartition(" ")
    names = [name.upper(), name, base.upper(), (base + " " + SUFFIX_VARIANTS.get(suffix, suffix)).upper(),
             name.upper()[:20], base.upper()[:20]]
    out = []
    for n in names:
        n = n.rstrip()
        if n not in out:
            out.append(n)
    return out


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        r = self.r
        self.weekdays = [d for d in range(DAYS) if (d + 2) % 7 < 5]  # 2025-01-01 is a Wednesday
        total = sum(w for _, w in COMPANIES)
        self.cp_cum, acc = [], 0.0
        for _, w in COMPANIES:
            acc += w / total
            self.cp_cum.append(acc)
        self.names = [bank_names(n) for n, _ in COMPANIES]
        # Each customer's bank keeps to one or two spellings; weights per spelling.
        self.name_weights = []
        for names in self.names:
            w = [r.random() ** 2 for _ in names]
            w[r.randrange(len(w))] += 2.0
            self.name_weights.append(w)
        # invoices: [day, amount, cp, memo style, in ledger]; numbers and ids are given later, by date
        self.inv = []
        # bank lines: [day, amount, counterparty text, refs (invoice indices) or None, ref style,
        #              description template, in-description-only flag]
        self.bank = []
        self.truth = []  # (kind, bank index or None, invoice index or None, second bank index or None)

    # -- draws --------------------------------------------------------------------------------
    def cp(self):
        u = self.r.random()
        for i, c in enumerate(self.cp_cum):
            if u < c:
                return i
        return len(self.cp_cum) - 1

    def invoice_day(self):
        r = self.r
        return r.choice(self.weekdays) if r.random() < 0.95 else r.randrange(DAYS)

    @staticmethod
    def roll(day):
        while (day + 2) % 7 >= 5:
            day += 1
        return day

    def pay_day(self, inv_day):
        u = self.r.random()
        shift = 0 if u < 0.30 else 1 if u < 0.55 else 2 if u < 0.72 else 3 if u < 0.85 else 4 if u < 0.94 else 5
        return self.roll(inv_day + shift)

    def amount(self, low=2000):
        r = self.r
        while True:
            v = math.exp(r.gauss(6.5, 1.25))
            if 20.0 <= v <= 20000.0:
                break
        u = r.random()
        if u < ROUND[0] and v >= 300:
            c = int(round(v / 100.0)) * 10000
        elif u < ROUND[1] and v >= 100:
            c = int(round(v / 50.0)) * 5000
        elif u < ROUND[2]:
            c = int(round(v / 10.0)) * 1000
        elif u < ROUND[3]:
            c = int(round(v)) * 100
        else:
            c = int(round(v * 100))
        return max(c, low)

    def bank_name(self, cp):
        return self.r.choices(self.names[cp], self.name_weights[cp])[0]

    # -- records ------------------------------------------------------------------------------
    def invoice(self, day, amount, cp, memo=0, in_ledger=True):
        self.inv.append([day, amount, cp, memo, in_ledger])
        return len(self.inv) - 1

    def payment(self, day, amount, cp, refs, name=None):
        """A customer payment; refs: invoice indices the payer quotes (None: no reference)."""
        r = self.r
        if name is None:
            name = self.bank_name(cp)
        if refs:
            u = r.random()
            style = 0 if u < 0.80 else 1 if u < 0.92 else 2 if u < 0.96 else 3
            desc_only = r.random() < 0.12  # the number only in the free text, not the reference field
            template = r.choice(WITH_REF) if r.random() < 0.6 or desc_only else r.choice(NO_REF)
        else:
            style, desc_only, template = 0, False, r.choice(NO_REF)
        self.bank.append([day, amount, name, refs, style, template, desc_only])
        return len(self.bank) - 1

    # -- items --------------------------------------------------------------------------------
    def one_to_one(self, cp=None, day=None, amount=None):
        r = self.r
        cp = self.cp() if cp is None else cp
        day = self.invoice_day() if day is None else day
        amount = self.amount() if amount is None else amount
        i = self.invoice(day, amount, cp)
        b = self.payment(self.pay_day(day), amount, cp, [i] if r.random() < 0.60 else None)
        self.truth.append(("1:1", b, i, None))

    def split(self):
        r = self.r
        cp = self.cp()
        k = 2 if r.random() < 0.45 else 3 if r.random() < 0.64 else 4
        pay = self.roll(r.choice(self.weekdays) + r.randint(0, 5))
        invs = []
        for _ in range(k):
            d = pay - r.randint(0, 5)
            while d >= 0 and (d + 2) % 7 >= 5 and r.random() < 0.95:
                d -= 1
            invs.append(self.invoice(max(d, 0), self.amount(), cp))
        invs.sort(key=lambda i: self.inv[i][0])
        total = sum(self.inv[i][1] for i in invs)
        u = r.random()
        refs = [invs[0]] if u < 0.45 else invs[:2] if u < 0.55 else None
        b = self.payment(pay, total, cp, refs)
        for i in invs:
            self.truth.append(("split", b, i, None))

    def partial(self):
        r = self.r
        cp = self.cp()
        amount = self.amount(low=30000)
        day = self.invoice_day()
        i = self.invoice(day, amount, cp)
        k = 2 if r.random() < 0.6 else 3
        if r.random() < 0.5:  # a round first instalment, the rest later
            unit = 10000 if amount >= 200000 else 1000
            first = max(unit, int(amount * r.uniform(0.25, 0.6)) // unit * unit)
            parts = [first]
            rest = amount - first
            if k == 3 and rest > 2 * unit:
                second = max(unit, int(rest * r.uniform(0.3, 0.7)) // unit * unit)
                parts.append(second)
                rest -= second
            parts.append(rest)
        else:  # equal instalments, the remainder on the last
            each = amount // k
            parts = [each] * (k - 1) + [amount - each * (k - 1)]
        late = r.random() < 0.4  # 40% of them stretch beyond a week, up to 20 days
        d = self.pay_day(day)
        for n, a in enumerate(parts):
            if n:
                d = self.roll(min(d + (r.randint(4, 12) if late else r.randint(0, 3)), day + 20))
            b = self.payment(d, a, cp, [i] if r.random() < 0.5 else None)
            self.truth.append(("partial", b, i, None))

    def subscriptions(self, plans):
        r = self.r
        for _ in range(plans):
            cp = self.cp()
            price = r.choices([p for p, _ in PRICES], [w for _, w in PRICES])[0]
            anchor = r.randint(1, 28)
            quoted = r.random() < 0.5  # some customers always quote the number, some never
            for month in range(1, 11):
                d = (datetime.date(2025, month, anchor) - START).days
                if (d + 2) % 7 >= 5:
                    d = self.roll(d)
                if d >= DAYS:
                    continue
                i = self.invoice(d, price, cp, memo=1)
                b = self.payment(self.pay_day(d), price, cp,
                                 [i] if (r.random() < 0.85) == quoted else None)
                self.truth.append(("recurring", b, i, None))

    def near_miss(self):
        r = self.r
        cp = self.cp()
        amount = self.amount(low=5000)
        pay = self.roll(r.choice(self.weekdays))
        gone = self.invoice(max(pay - r.randint(0, 5), 0), amount, cp, in_ledger=False)
        del gone  # the invoice it pays is in another ledger (or not booked yet)
        b = self.payment(pay, amount, cp, None)
        self.truth.append(("near_miss", b, None, None))
        # The decoy: an invoice of the same customer within a week, 0.1-1% away.
        off = max(1, int(round(amount * r.uniform(0.001, 0.01))))
        decoy = amount + off if r.random() < 0.5 else amount - off
        if decoy % 100 and r.random() < 0.5:
            decoy = decoy // 100 * 100 or decoy
        if decoy == amount:
            decoy += 100
        dday = max(0, pay - r.randint(-2, 7))
        while (dday + 2) % 7 >= 5 and dday > 0:
            dday -= 1
        if r.random() < DECOY_OPEN:
            self.truth.append(("near_miss_decoy", None, self.invoice(dday, decoy, cp), None))
        else:
            self.one_to_one(cp=cp, day=dday, amount=decoy)

    def reversal(self):
        r = self.r
        cp = self.cp()
        amount = self.amount()
        day = self.invoice_day()
        refs = None
        if r.random() < 0.6:
            in_ledger = r.random() < REVERSED_IN_LEDGER / 0.6
            i = self.invoice(day, amount, cp, in_ledger=in_ledger)
            if in_ledger:
                self.truth.append(("reversal_invoice", None, i, None))
            refs = [i] if r.random() < 0.7 else None
        name = self.bank_name(cp)
        pay = self.pay_day(day)
        b = self.payment(pay, amount, cp, refs, name=name)
        back = self.roll(pay + r.randint(0, 5))
        rb = self.payment(back, -amount, cp, refs, name=name)
        line = self.bank[rb]
        line[5] = r.choice(RETURNS) if refs else r.choice(RETURNS).replace(" {r}", "")
        line[6] = False
        self.truth.append(("offset", b, None, rb))

    def bank_only(self):
        r = self.r
        u = r.random()
        day = self.roll(r.randrange(DAYS))
        if u < 0.40:
            text, amounts = r.choice(FEES)
            self.bank.append([day, -r.choice(amounts), "", None, 0, text, False])
        elif u < 0.55:
            self.bank.append([day, r.randint(50, 30000), "", None, 0, "INTEREST CREDIT", False])
        else:  # a customer paid an invoice that is not in the ledger
            cp = self.cp()
            self.invoice(max(day - r.randint(0, 5), 0), 0, cp, in_ledger=False)
            self.bank.append([day, self.amount(), self.bank_name(cp), None, 0, r.choice(NO_REF), False])
        self.truth.append(("bank_only", len(self.bank) - 1, None, None))

    def ledger_only(self):
        i = self.invoice(self.invoice_day(), self.amount(), self.cp())
        self.truth.append(("ledger_only", None, i, None))


def ref_text(number, style, r):
    s = "INV-2025-%06d" % number
    if style == 1:
        return s.replace("-", "")
    if style == 2:
        return "INV 2025 %06d" % number
    if style == 3:  # two adjacent digits of the number transposed (or one mistyped)
        digits = list("%06d" % number)
        j = r.randrange(len(digits) - 1)
        if digits[j] != digits[j + 1]:
            digits[j], digits[j + 1] = digits[j + 1], digits[j]
        else:
            digits[j] = str((int(digits[j]) + 1) % 10)
        return "INV-2025-" + "".join(digits)
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, help="about the number of bank lines")
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, default=17)
    a = ap.parse_args()
    t0 = time.time()
    g = Gen(a.seed)
    r = g.r
    items = a.n / sum(s * BANK_PER_ITEM[k] for k, s in SHARES)
    counts = {k: int(round(items * s)) for k, s in SHARES}
    plans = max(1, int(round(counts["recurring"] / 9.8)))
    # Items in random order, so kinds interleave in the random stream.
    order = []
    for k, _ in SHARES:
        if k != "recurring":
            order += [k] * counts[k]
    r.shuffle(order)
    make = {"1:1": g.one_to_one, "split": g.split, "partial": g.partial, "near_miss": g.near_miss,
            "reversal": g.reversal, "bank_only": g.bank_only, "ledger_only": g.ledger_only}
    for k in order:
        make[k]()
    g.subscriptions(plans)

    # Invoice numbers in date order over every invoice (also those not in this ledger); ledger ids
    # in file order (by date; the same day in random order).
    inv_order = list(range(len(g.inv)))
    r.shuffle(inv_order)
    inv_order.sort(key=lambda i: g.inv[i][0])
    number = [0] * len(g.inv)
    inv_id = [None] * len(g.inv)
    next_id = 0
    for pos, i in enumerate(inv_order):
        number[i] = pos + 1
        if g.inv[i][4]:
            next_id += 1
            inv_id[i] = "L%d" % next_id
    bank_order = list(range(len(g.bank)))
    r.shuffle(bank_order)
    bank_order.sort(key=lambda i: g.bank[i][0])
    bank_id = [None] * len(g.bank)
    for pos, i in enumerate(bank_order):
        bank_id[i] = "B%d" % (pos + 1)

    os.makedirs(a.out_dir, exist_ok=True)
    dmy = [(START + datetime.timedelta(days=d)).strftime("%d/%m/%Y") for d in range(DAYS + 40)]
    iso = [(START + datetime.timedelta(days=d)).isoformat() for d in range(DAYS + 40)]

    def money(c):
        return "%d.%02d" % (c // 100, c % 100)

    with open(os.path.join(a.out_dir, "left.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Transaction ID", "Booking Date", "Description", "Counterparty", "Reference",
                    "Money Out", "Money In"])
        rows = []
        for i in bank_order:
            day, amount, name, refs, style, template, desc_only = g.bank[i]
            if refs:
                rt = " ".join(ref_text(number[j], style, r) for j in refs)
                reference = "" if desc_only else rt
            else:
                rt = reference = ""
            desc = template.format(n=name or "", r=rt).strip() if "{" in template else template
            rows.append((bank_id[i], dmy[day], desc, name, reference,
                         money(-amount) if amount < 0 else "", money(amount) if amount >= 0 else ""))
            if len(rows) >= 50000:
                w.writerows(rows)
                rows = []
        w.writerows(rows)

    names = [n for n, _ in COMPANIES]
    with open(os.path.join(a.out_dir, "right.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "date", "account", "amount", "currency", "ref", "memo", "payee"])
        rows = []
        for i in inv_order:
            day, amount, cp, memo, in_ledger = g.inv[i]
            if not in_ledger:
                continue
            ref = "INV-2025-%06d" % number[i]
            text = ("Invoice %s %s" if memo == 0 else "Subscription invoice %s %s") % (ref, names[cp])
            rows.append((inv_id[i], iso[day], "1100 Receivables", money(amount), "EUR", ref, text, names[cp]))
            if len(rows) >= 50000:
                w.writerows(rows)
                rows = []
        w.writerows(rows)

    per_kind = {}
    with open(os.path.join(a.out_dir, "truth.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["kind", "left_id", "right_id"])
        rows = []
        for kind, b, i, b2 in g.truth:
            per_kind[kind] = per_kind.get(kind, 0) + 1
            left = bank_id[b] if b is not None else ""
            right = bank_id[b2] if b2 is not None else inv_id[i] if i is not None else ""
            rows.append((kind, left, right))
        w.writerows(rows)
    n_ledger = sum(1 for x in g.inv if x[4])
    print("generate_dense: %d bank lines, %d ledger lines, %d truth rows (%s) in %.1f s"
          % (len(g.bank), n_ledger, len(g.truth),
             ", ".join("%s %d" % (k, per_kind[k]) for k in sorted(per_kind)), time.time() - t0),
          file=sys.stderr)


if __name__ == "__main__":
    main()
