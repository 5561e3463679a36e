#!/usr/bin/env python3
"""FEBRL4-like person records with known truth: two registers of the same people.

    bench/engine/generate_people.py N OUT_DIR [--seed S] [--nicknames]

Writes OUT_DIR/left.csv (N original records), OUT_DIR/right.csv (one corrupted copy of each, shuffled)
and OUT_DIR/truth.csv (kind,left_id,right_id: one "1:1" row per pair, the form quality.py reads).
Columns, as in FEBRL4: rec_id, given_name, surname, street_number, address_1, address_2, suburb,
postcode, state, date_of_birth (yyyymmdd), soc_sec_id (7 digits). Ids follow FEBRL: rec-<k>-org on the
left, rec-<k>-dup-0 on the right (rules never read them). Standard library only, deterministic for a
seed (default 4); 50,000 take ~3 s. In the copies ~7-11% of each field is empty (address_2 ~68%).

The originals. Names and places repeat as they do in a population: given names from 154 common ones
(weights 1/(rank + 8): the most common ~3.7% of people), surnames 40% from 147 common ones (weights
1/(rank + 5): "smith" ~2%) and 60% from a tail of 30,000 made-up ones, suburbs from 400 made-up ones
(weights 1/(rank + 5): the most common ~3.7%), each with its own postcode and state (NSW 32%, VIC 26%,
QLD 20%, WA 10%, SA 7%, TAS 2%, ACT 2%, NT 1%); streets from 194 names and 10 types; a unit or a
building in address_2 for 35%; birth dates 1920..2005; social security numbers unique. Some
originals already lack a value: given name 2%, surname 1%, street number 3%, address_1 2%, suburb
1%, postcode 1%, state 1%, birth date 2%.

The copies: each has 1 to 5 modifications (25% one, 30% two, 25% three, 15% four, 5% five), at most
two per field, fields drawn by weight (names 15% each, birth date 12%, address_1 12%, suburb and
social security number 10% each, street number and postcode 8% each, address_2 6%, state 4%):
  names        a typo (a letter inserted, dropped, replaced by a keyboard neighbour, or two swapped)
               70%, a phonetic respelling (ph/f, c/k, ie/y, ...) 15%, missing 15%; with --nicknames
               a given name that has a nickname (katherine -> kate) takes it 10% (missing then 5%)
  birth date   day and month swapped 30% (also when that makes no date), one digit wrong 40%,
               missing 30%
  soc_sec_id   one edit (a digit replaced 60%, dropped 15%, added 10%, two neighbours swapped 15%)
               70%, missing 30%
  street no.   a digit replaced or dropped 60%, missing 40%
  address_1    a typo 50%, the street type abbreviated (street -> st) 20%, missing 30%
  address_2    a typo 50%, missing 50%
  suburb       a typo 70%, missing 30%
  postcode     a digit replaced 60%, two neighbours swapped 10%, missing 30%
  state        missing 70%, another state 30%
"""
import argparse
import csv
import os
import random

GIVEN = """jack oliver william james thomas joshua lachlan ethan noah samuel liam benjamin lucas daniel
alexander ryan max isaac harrison cooper charlie matthew henry jacob riley patrick luke nicholas
oscar dylan mitchell callum connor tyler jayden blake hunter zachary aaron michael david john peter
robert christopher andrew mark paul stephen anthony kevin jason brendan craig scott shane adam
chloe emily olivia sophie ella jessica isabella grace mia charlotte ruby hannah lily sarah amelia
georgia zoe emma lucy chelsea madison caitlin jasmine abbey holly matilda imogen sienna lara
katherine elizabeth rebecca rachel laura kate jennifer michelle lisa nicole amanda melissa kylie
natalie samantha alicia bianca tahlia brooke courtney jade kayla paige stephanie taylor maddison
alyssa annabelle eliza ava phoebe scarlett evie harriet isabel leah maya bella heidi willow
alannah ashleigh danielle erin jordan kirra montana shannon tegan teagan declan finn flynn jett
kai levi nathan reuben seth tristan xavier angus hamish fraser archie alfie toby rhys""".split()
SURNAMES = """smith jones williams brown wilson taylor johnson white martin anderson thompson nguyen
thomas walker harris lee ryan robinson kelly king davis wright evans roberts green hall wood jackson
clarke patel khan lewis james phillips mitchell turner campbell murphy clark moore young edwards
baker hill scott allen cook ward morris stewart miller bell watson richardson cooper marshall
hughes parker collins kennedy graham mcdonald gray russell bailey murray davies reid wallace ross
johnston hamilton ellis fraser price shaw doyle burns henderson chapman hunt dunn lloyd wells stone
hudson knight grant webb ferguson rogers carter morgan jenkins mason fisher barnes lawrence walsh
holmes rees black simpson cameron obrien hayes gibson butler duncan perry boyd sullivan fletcher
andrews lane matthews owen pearce elliott burke mills dixon tran le pham kaur singh chen wang zhang
li liu huang nair rossi russo ferrari esposito bianchi romano papadopoulos kowalski novak schmidt
muller weber becker""".split()
STREETS = """wattle banksia acacia jacaranda waratah kurrajong grevillea boronia bottlebrush
casuarina melaleuca correa hakea kennedy lawson forrest flinders sturt hume hovell oxley mitchell
leichhardt bass blaxland wentworth macquarie bligh phillip hunter king george william elizabeth
victoria albert edward alfred charles queen prince princess regent park church station railway
bridge river creek hill high mount ocean bay beach harbour lake spring valley forest garden
orchard meadow paddock ridge range heath grove glen dale ford field wood brook moss fern oak elm
ash pine cedar willow poplar maple birch laurel myrtle olive rose lavender heather ivy lily daisy
iris violet poppy tulip orchid magnolia camellia azalea gardenia hibiscus jasmine lilac peony
dahlia aster marigold clover thistle bramble hazel hawthorn juniper rowan alder aspen sycamore
beech chestnut walnut almond cherry plum peach apple pear quince fig lemon lime orange mandarin
kookaburra lyrebird magpie currawong rosella galah cockatoo lorikeet wren robin finch swallow
pelican heron egret ibis brolga emu jabiru osprey kestrel falcon hawk eagle owl curlew plover
dotterel tern gannet albatross petrel shearwater penguin dolphin whale seal dugong turtle
wombat koala possum glider bandicoot bilby quokka numbat echidna platypus dingo quoll potoroo
bettong wallaby kangaroo pademelon wallaroo euro""".split()
STREET_TYPES = [("street", "st", 40), ("road", "rd", 20), ("avenue", "ave", 10), ("place", "pl", 6),
                ("crescent", "cres", 6), ("drive", "dr", 6), ("close", "cl", 4), ("court", "ct", 4),
                ("parade", "pde", 2), ("terrace", "tce", 2)]
STATES = [("nsw", "2", 32), ("vic", "3", 26), ("qld", "4", 20), ("wa", "6", 10), ("sa", "5", 7),
          ("tas", "7", 2), ("act", "2", 2), ("nt", "0", 1)]
SYLLABLES = """bar bel ber bor bun cal car cor dal dar del don gar gil gor hal har kal kan kar kel
kil kin kir kor kur lan lar lem lin lon mal man mar mel mil mon mor mur nal nar nel nor pal par
pen per pol ran rin ron ros sal san sel sil tal tar tel ten tor val van vel vin wal war wel win
yar yel yon zan""".split()
SUBURB_ENDINGS = ["", "", "", " heights", " park", " vale", " hills", " beach", " north", " east",
                  " south", " west", " creek", " downs", " point", " grove"]
NICKNAMES = {
    "william": ["bill", "will"], "robert": ["bob", "rob"], "katherine": ["kate", "kathy"],
    "elizabeth": ["liz", "beth"], "michael": ["mike"], "christopher": ["chris"], "jennifer": ["jen"],
    "samuel": ["sam"], "benjamin": ["ben"], "alexander": ["alex"], "matthew": ["matt"],
    "nicholas": ["nick"], "daniel": ["dan"], "thomas": ["tom"], "james": ["jim"], "joshua": ["josh"],
    "zachary": ["zac"], "jessica": ["jess"], "rebecca": ["bec"], "samantha": ["sam"],
    "stephanie": ["steph"], "natalie": ["nat"], "isabella": ["bella"], "charlotte": ["charlie"],
    "annabelle": ["annie"], "madison": ["maddy"], "anthony": ["tony"], "andrew": ["andy"],
}
PHONETIC = [("ph", "f"), ("f", "ph"), ("ck", "k"), ("c", "k"), ("k", "c"), ("ie", "y"), ("y", "ie"),
            ("ee", "ea"), ("ou", "ow"), ("s", "z"), ("z", "s"), ("th", "t"), ("mc", "mac"),
            ("ll", "l"), ("tt", "t"), ("nn", "n"), ("ay", "ai"), ("er", "a")]
KEYBOARD = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]


def neighbours(c):
    for row_index, row in enumerate(KEYBOARD):
        i = row.find(c)
        if i < 0:
            continue
        near = [row[j] for j in (i - 1, i + 1) if 0 <= j < len(row)]
        for other in (row_index - 1, row_index + 1):
            if 0 <= other < len(KEYBOARD):
                near += [KEYBOARD[other][j] for j in (i - 1, i) if 0 <= j < len(KEYBOARD[other])]
        return near
    return list("abcdefghijklmnopqrstuvwxyz")


def zipf_weights(n, offset):
    return [1.0 / (rank + offset) for rank in range(1, n + 1)]


def typo(rng, text):
    """One keyboard typo: a letter inserted, dropped, replaced by a neighbour, or two swapped."""
    if not text:
        return text
    i = rng.randrange(len(text))
    kind = rng.random()
    if kind < 0.3 and len(text) > 2:
        return text[:i] + text[i + 1:]
    if kind < 0.55:
        c = rng.choice(neighbours(text[i])) if text[i].isalpha() else str(rng.randrange(10))
        return text[:i] + c + text[i:]
    if kind < 0.8:
        c = rng.choice(neighbours(text[i])) if text[i].isalpha() else str(rng.randrange(10))
        return text[:i] + c + text[i + 1:]
    if len(text) > 1:
        i = min(i, len(text) - 2)
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text


def phonetic(rng, text):
    options = [(a, b) for a, b in PHONETIC if a in text]
    if not options:
        return typo(rng, text)
    a, b = rng.choice(options)
    at = [i for i in range(len(text)) if text.startswith(a, i)]
    i = rng.choice(at)
    return text[:i] + b + text[i + len(a):]


def digit_edit(rng, digits, kinds):
    """One edit of a digit string: kinds weights for (replace, drop, add, swap neighbours)."""
    kind = rng.choices(["replace", "drop", "add", "swap"], weights=kinds)[0]
    i = rng.randrange(len(digits))
    if kind == "replace":
        return digits[:i] + rng.choice([d for d in "0123456789" if d != digits[i]]) + digits[i + 1:]
    if kind == "drop" and len(digits) > 1:
        return digits[:i] + digits[i + 1:]
    if kind == "add":
        return digits[:i] + str(rng.randrange(10)) + digits[i:]
    if len(digits) > 1:
        i = min(i, len(digits) - 2)
        if digits[i] != digits[i + 1]:
            return digits[:i] + digits[i + 1] + digits[i] + digits[i + 2:]
    return digits[:i] + rng.choice([d for d in "0123456789" if d != digits[i]]) + digits[i + 1:]


def made_up_name(rng, parts):
    return "".join(rng.choice(SYLLABLES) for _ in range(parts))


class Population:
    def __init__(self, rng):
        self.rng = rng
        self.given_weights = zipf_weights(len(GIVEN), 8)
        self.surname_weights = zipf_weights(len(SURNAMES), 5)
        tail = set()
        while len(tail) < 30000:
            tail.add(made_up_name(rng, rng.choice([2, 2, 3])))
        self.surname_tail = sorted(tail)
        suburbs, used_postcodes = [], set()
        names = set()
        while len(suburbs) < 400:
            name = made_up_name(rng, rng.choice([2, 3])) + rng.choice(SUBURB_ENDINGS)
            if name in names:
                continue
            names.add(name)
            state, first, _ = rng.choices(STATES, weights=[s[2] for s in STATES])[0]
            while True:
                postcode = first + "%03d" % rng.randrange(1000)
                if postcode not in used_postcodes:
                    used_postcodes.add(postcode)
                    break
            suburbs.append((name, postcode, state))
        self.suburbs = suburbs
        self.suburb_weights = zipf_weights(len(suburbs), 5)
        self.used_ssids = set()

    def ssid(self):
        while True:
            value = self.rng.randrange(1000000, 10000000)
            if value not in self.used_ssids:
                self.used_ssids.add(value)
                return str(value)

    def person(self):
        rng = self.rng
        given = rng.choices(GIVEN, weights=self.given_weights)[0]
        if rng.random() < 0.4:
            surname = rng.choices(SURNAMES, weights=self.surname_weights)[0]
        else:
            surname = rng.choice(self.surname_tail)
        suburb, postcode, state = rng.choices(self.suburbs, weights=self.suburb_weights)[0]
        street_type = rng.choices(STREET_TYPES, weights=[t[2] for t in STREET_TYPES])[0][0]
        address_2 = ""
        if rng.random() < 0.35:
            address_2 = rng.choice([
                "unit %d" % rng.randint(1, 60), "flat %d" % rng.randint(1, 30),
                made_up_name(rng, 2) + rng.choice([" village", " house", " court", " gardens"])])
        year = rng.randint(1920, 2005)
        month = rng.randint(1, 12)
        day = rng.randint(1, [31, 29 if year % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                              31][month - 1])
        record = {
            "given_name": given, "surname": surname, "street_number": str(rng.randint(1, 400)),
            "address_1": rng.choice(STREETS) + " " + street_type, "address_2": address_2,
            "suburb": suburb, "postcode": postcode, "state": state,
            "date_of_birth": "%04d%02d%02d" % (year, month, day), "soc_sec_id": self.ssid(),
        }
        for field, share in (("given_name", 0.02), ("surname", 0.01), ("street_number", 0.03),
                             ("address_1", 0.02), ("suburb", 0.01), ("postcode", 0.01),
                             ("state", 0.01), ("date_of_birth", 0.02)):
            if rng.random() < share:
                record[field] = ""
        return record


FIELD_WEIGHTS = [("given_name", 15), ("surname", 15), ("date_of_birth", 12), ("address_1", 12),
                 ("suburb", 10), ("soc_sec_id", 10), ("street_number", 8), ("postcode", 8),
                 ("address_2", 6), ("state", 4)]


def modify(rng, field, value, nicknames):
    """One modification of `value` (never empty) in `field`."""
    r = rng.random()
    if field in ("given_name", "surname"):
        if field == "given_name" and nicknames and r < 0.10 and value in NICKNAMES:
            return rng.choice(NICKNAMES[value])
        if r < 0.15:
            return ""
        if r < 0.30:
            return phonetic(rng, value)
        return typo(rng, value)
    if field == "date_of_birth":
        if r < 0.30:
            return value[:4] + value[6:8] + value[4:6]
        if r < 0.70:
            return digit_edit(rng, value, [1, 0, 0, 0])
        return ""
    if field == "soc_sec_id":
        if r < 0.70:
            return digit_edit(rng, value, [60, 15, 10, 15])
        return ""
    if field == "street_number":
        if r < 0.60:
            return digit_edit(rng, value, [70, 30, 0, 0])
        return ""
    if field == "address_1":
        if r < 0.50:
            return typo(rng, value)
        if r < 0.70:
            for full, short, _ in STREET_TYPES:
                if value.endswith(" " + full):
                    return value[: -len(full)] + short
            return typo(rng, value)
        return ""
    if field == "address_2":
        return typo(rng, value) if r < 0.5 else ""
    if field == "suburb":
        return typo(rng, value) if r < 0.7 else ""
    if field == "postcode":
        if r < 0.60:
            return digit_edit(rng, value, [1, 0, 0, 0])
        if r < 0.70:
            return digit_edit(rng, value, [0, 0, 0, 1])
        return ""
    if field == "state":
        if r < 0.70:
            return ""
        return rng.choice([s[0] for s in STATES if s[0] != value])
    raise ValueError(field)


def corrupt(rng, record, nicknames):
    copy = dict(record)
    count = rng.choices([1, 2, 3, 4, 5], weights=[25, 30, 25, 15, 5])[0]
    per_field = {}
    done, attempts = 0, 0
    while done < count and attempts < 50:
        attempts += 1
        field = rng.choices([f for f, _ in FIELD_WEIGHTS], weights=[w for _, w in FIELD_WEIGHTS])[0]
        if per_field.get(field, 0) >= 2 or not copy[field]:
            continue
        changed = modify(rng, field, copy[field], nicknames)
        if changed == copy[field]:
            continue
        copy[field] = changed
        per_field[field] = per_field.get(field, 0) + 1
        done += 1
    return copy


COLUMNS = ["rec_id", "given_name", "surname", "street_number", "address_1", "address_2", "suburb",
           "postcode", "state", "date_of_birth", "soc_sec_id"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("records", type=int)
    parser.add_argument("out_dir")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--nicknames", action="store_true",
                        help="some copies give a nickname for the given name")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    population = Population(rng)
    originals = []
    for k in range(args.records):
        record = population.person()
        record["rec_id"] = "rec-%d-org" % k
        originals.append(record)
    copies = []
    for k, record in enumerate(originals):
        copy = corrupt(rng, record, args.nicknames)
        copy["rec_id"] = "rec-%d-dup-0" % k
        copies.append(copy)
    rng.shuffle(copies)
    os.makedirs(args.out_dir, exist_ok=True)
    for name, rows in (("left.csv", originals), ("right.csv", copies)):
        with open(os.path.join(args.out_dir, name), "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    with open(os.path.join(args.out_dir, "truth.csv"), "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["kind", "left_id", "right_id"])
        for k in range(args.records):
            writer.writerow(["1:1", "rec-%d-org" % k, "rec-%d-dup-0" % k])


if __name__ == "__main__":
    main()
