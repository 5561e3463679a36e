// Generates a bank statement (left.csv) and a ledger export (right.csv) with known truth
// (truth.csv) and realistic noise: bank dates 0-5 days after the ledger, bank fees deducted,
// rounding, reference typos and truncation, descriptions rewritten by the bank, split payments
// (1:N: one deposit for several invoices), instalments (N:1), duplicated ledger lines and unmatched
// records on both sides.
//
//   generate_pairs --records 100000 --seed 1 --out DIR
//
// truth.csv: kind,left_id,right_id with kind 1:1, 1:N or N:1 (one row per true pair), and
// dup,<duplicate right id>,<original right id> for duplicated ledger lines.
#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

struct Entry {
  std::string id;
  int day = 0;  // days since 2025-01-01
  std::int64_t amount = 0;
  std::string reference, description, counterparty;
};

const char* kFirst[] = {"Northwind",
                        "Blue Harbor",
                        "Acme",
                        "Globex",
                        "Initech",
                        "Umbrella",
                        "Stark",
                        "Wayne",
                        "Hooli",
                        "Vandelay",
                        "Soylent",
                        "Cyberdyne",
                        "Tyrell",
                        "Wonka",
                        "Gringotts",
                        "Oscorp",
                        "Massive Dynamic",
                        "Aperture",
                        "Black Mesa",
                        "Monarch",
                        "Sterling",
                        "Pied Piper",
                        "Bluth",
                        "Dunder Mifflin",
                        "Prestige",
                        "Paper Street",
                        "Nakatomi",
                        "Oceanic",
                        "Kramerica",
                        "Duff",
                        "Krusty",
                        "Zorg",
                        "Weyland",
                        "Yoyodyne",
                        "Rekall",
                        "Spacely",
                        "Cogswell",
                        "Gekko",
                        "Lacuna",
                        "Wolfram",
                        "Hart",
                        "Fabrikam",
                        "Contoso",
                        "Tailspin",
                        "Litware",
                        "Adventure Works",
                        "Alpine",
                        "Coho",
                        "Fourth Coffee",
                        "Lucerne",
                        "Margie",
                        "Proseware",
                        "Trey",
                        "Wingtip"};
const char* kSecond[] = {"Trading",  "Logistics", "Consulting",  "Foods",    "Industries",
                         "Media",    "Software",  "Engineering", "Supplies", "Pharma",
                         "Textiles", "Energy",    "Holdings",    "Retail",   "Analytics",
                         "Design",   "Motors",    "Systems",     "Partners", "Labs"};
const char* kSuffix[] = {"Ltd", "GmbH", "SA", "Inc", "BV", "LLC", "plc", "AG", "SARL", "Oy"};

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string date_iso(int day) {
  // 2025-01-01 + day, civil conversion.
  long z = 20089 + day + 719468;  // 20089 = days from 1970-01-01 to 2025-01-01
  long era = z / 146097;
  long doe = z - era * 146097;
  long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long mp = (5 * doy + 2) / 153;
  long d = doy - (153 * mp + 2) / 5 + 1;
  long m = mp < 10 ? mp + 3 : mp - 9;
  long y = yoe + era * 400 + (m <= 2);
  char out[48];
  std::snprintf(out, sizeof out, "%04ld-%02ld-%02ld", y, m, d);
  return out;
}

std::string date_dmy(int day) {
  std::string iso = date_iso(day);
  return iso.substr(8, 2) + "/" + iso.substr(5, 2) + "/" + iso.substr(0, 4);
}

std::string money(std::int64_t minor) {
  char out[32];
  std::int64_t a = minor < 0 ? -minor : minor;
  std::snprintf(out, sizeof out, "%s%" PRId64 ".%02" PRId64, minor < 0 ? "-" : "", a / 100,
                a % 100);
  return out;
}

std::string quote(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

class Generator {
 public:
  explicit Generator(unsigned seed) : rng_(seed) {}

  double uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(double p) { return uniform() < p; }

  std::string company() {
    return std::string(kFirst[between(0, std::size(kFirst) - 1)]) + " " +
           kSecond[between(0, std::size(kSecond) - 1)] + " " +
           kSuffix[between(0, std::size(kSuffix) - 1)];
  }

  std::int64_t amount() {
    double v = std::exp(std::normal_distribution<double>(5.8, 1.4)(rng_));
    v = std::clamp(v, 1.0, 2'000'000.0);
    auto minor = static_cast<std::int64_t>(v * 100);
    if (chance(0.12)) minor = std::max<std::int64_t>(1000, minor / 1000 * 1000);  // round amounts
    return minor;
  }

  int shift() {
    double u = uniform();
    return u < 0.40 ? 0 : u < 0.65 ? 1 : u < 0.80 ? 2 : u < 0.90 ? 3 : u < 0.96 ? 4 : 5;
  }

  std::string typo(std::string s) {
    if (s.size() < 4) return s;
    std::size_t i = static_cast<std::size_t>(between(3, static_cast<int>(s.size()) - 1));
    if (chance(0.5) && i + 1 < s.size()) {
      std::swap(s[i], s[i + 1]);
    } else if (std::isdigit(static_cast<unsigned char>(s[i]))) {
      s[i] = static_cast<char>('0' + (s[i] - '0' + between(1, 9)) % 10);
    } else {
      s[i] = static_cast<char>('A' + between(0, 25));
    }
    return s;
  }

  // The bank's view of a ledger reference.
  std::string bank_reference(const std::string& ref) {
    double u = uniform();
    if (u < 0.45) return ref;
    if (u < 0.55) {  // reformatted: no dashes
      std::string out;
      for (char c : ref) {
        if (c != '-') out += c;
      }
      return out;
    }
    if (u < 0.70) return typo(ref);
    if (u < 0.85)
      return ref.substr(0, static_cast<std::size_t>(between(7, static_cast<int>(ref.size()) - 2)));
    return "";
  }

  std::string bank_counterparty(const std::string& name) {
    std::string s = upper(name);
    if (chance(0.4)) {  // drop the legal suffix
      auto space = s.rfind(' ');
      if (space != std::string::npos) s = s.substr(0, space);
    }
    if (s.size() > 18 && chance(0.5)) s = s.substr(0, 18);
    return s;
  }

  std::string bank_description(const std::string& counterparty, const std::string& ref,
                               bool incoming) {
    static const char* kIn[] = {"SEPA CREDIT TRANSFER", "INCOMING PAYMENT", "GIRO CREDIT",
                                "FASTER PAYMENT RECEIVED"};
    static const char* kOut[] = {"SEPA DIRECT DEBIT", "OUTGOING TRANSFER", "BILL PAYMENT",
                                 "STANDING ORDER"};
    std::string s = incoming ? kIn[between(0, 3)] : kOut[between(0, 3)];
    s += " " + bank_counterparty(counterparty);
    if (!ref.empty() && chance(0.6)) s += " REF " + upper(ref);
    return s;
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

}  // namespace

int main(int argc, char** argv) {
  long records = 10000;
  unsigned seed = 1;
  std::string out = ".";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--records"))
      records = std::atol(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--seed"))
      seed = static_cast<unsigned>(std::atol(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--out"))
      out = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: generate_pairs --records N --seed S --out DIR\n");
      return 2;
    }
  }
  Generator g(seed);
  const int span_days = 365;
  std::vector<std::string> companies;
  const long company_count = std::max(50L, records / 200);
  for (long i = 0; i < company_count; ++i)
    companies.push_back(g.company() + (i >= 1000 ? " " + std::to_string(i % 97) : ""));

  std::vector<Entry> bank, ledger;
  std::vector<std::string> truth;
  long next_bank = 1, next_ledger = 1, next_invoice = 100000;
  auto bank_id = [&] { return "B" + std::to_string(next_bank++); };
  auto ledger_id = [&] { return "L" + std::to_string(next_ledger++); };
  auto new_ledger = [&](int day, std::int64_t amount, const std::string& who, bool incoming) {
    Entry e;
    e.id = ledger_id();
    e.day = day;
    e.amount = incoming ? amount : -amount;
    long number = next_invoice++;
    char ref[32];
    std::snprintf(ref, sizeof ref, incoming ? "INV-2025-%06ld" : "PO-%07ld", number);
    e.reference = ref;
    e.description = incoming ? "Invoice " + std::to_string(number) + " " + who
                             : "Payment to " + who + " for " + ref;
    e.counterparty = who;
    return e;
  };

  for (long n = 0; n < records; ++n) {
    const double kind = g.uniform();
    const std::string& who =
        companies[static_cast<std::size_t>(g.between(0, static_cast<int>(company_count) - 1))];
    const bool incoming = g.chance(0.7);
    const int day = g.between(0, span_days - 6);
    if (kind < 0.05 && incoming) {  // 1:N: one deposit for 2-4 invoices of one customer
      const int parts = g.between(2, 4);
      Entry deposit;
      deposit.id = bank_id();
      deposit.day = day + g.between(0, 2);
      std::int64_t total = 0;
      std::string first_ref;
      for (int p = 0; p < parts; ++p) {
        Entry e = new_ledger(day - g.between(0, 3), g.amount(), who, true);
        if (e.day < 0) e.day = 0;
        total += e.amount;
        if (first_ref.empty()) first_ref = e.reference;
        truth.push_back("1:N," + deposit.id + "," + e.id);
        ledger.push_back(e);
      }
      deposit.amount = total;
      deposit.counterparty = g.bank_counterparty(who);
      deposit.reference = g.chance(0.5) ? first_ref : "";
      deposit.description =
          g.bank_description(who, "", true) + " " + std::to_string(parts) + " INVOICES";
      bank.push_back(deposit);
      continue;
    }
    if (kind < 0.06) {  // N:1: a ledger entry paid in 2-3 instalments
      Entry e = new_ledger(day, g.amount() + 10000, who, incoming);
      const int parts = g.between(2, 3);
      std::int64_t left = e.amount;
      for (int p = 0; p < parts; ++p) {
        Entry b;
        b.id = bank_id();
        b.day = e.day + g.between(0, 4);
        b.amount = p + 1 == parts ? left : e.amount / parts;
        left -= b.amount;
        b.reference = g.bank_reference(e.reference);
        b.counterparty = g.bank_counterparty(who);
        b.description =
            g.bank_description(who, b.reference, incoming) + " PART " + std::to_string(p + 1);
        truth.push_back("N:1," + b.id + "," + e.id);
        bank.push_back(b);
      }
      ledger.push_back(e);
      continue;
    }
    if (kind < 0.09) {  // bank only: fees, interest, unknown receipts
      Entry b;
      b.id = bank_id();
      b.day = day;
      const bool fee = g.chance(0.5);
      b.amount = fee ? -static_cast<std::int64_t>(g.between(100, 5000)) : g.amount();
      b.description =
          fee ? "ACCOUNT MAINTENANCE FEE" : "INCOMING PAYMENT " + g.bank_counterparty(g.company());
      b.counterparty = fee ? "BANK" : "";
      bank.push_back(b);
      continue;
    }
    if (kind < 0.12) {  // ledger only: not yet cleared
      ledger.push_back(new_ledger(day, g.amount(), who, incoming));
      continue;
    }
    // 1:1 with noise.
    Entry e = new_ledger(day, g.amount(), who, incoming);
    Entry b;
    b.id = bank_id();
    b.day = e.day + g.shift();
    b.amount = e.amount;
    if (incoming && g.chance(0.04)) {  // a bank fee deducted from the receipt
      static const std::int64_t kFees[] = {50, 100, 150, 250, 500};
      std::int64_t fee = kFees[g.between(0, 4)];
      if (fee * 50 <= e.amount) b.amount -= fee;
    } else if (g.chance(0.01) && std::llabs(e.amount) > 1000) {  // rounded to a whole unit
      b.amount = (e.amount / 100) * 100;
    }
    b.reference = g.bank_reference(e.reference);
    b.counterparty = g.bank_counterparty(who);
    b.description = g.bank_description(who, b.reference, incoming);
    truth.push_back("1:1," + b.id + "," + e.id);
    bank.push_back(b);
    ledger.push_back(e);
    if (g.chance(0.005)) {  // the ledger line was booked twice
      Entry d = e;
      d.id = ledger_id();
      truth.push_back("dup," + d.id + "," + e.id);
      ledger.push_back(d);
    }
  }
  // Exports are sorted by date.
  auto by_day = [](const Entry& a, const Entry& b) { return a.day < b.day; };
  std::shuffle(bank.begin(), bank.end(), g.rng());
  std::shuffle(ledger.begin(), ledger.end(), g.rng());
  std::stable_sort(bank.begin(), bank.end(), by_day);
  std::stable_sort(ledger.begin(), ledger.end(), by_day);

  std::string path = out + "/left.csv";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::perror(path.c_str());
    return 1;
  }
  std::string buffer =
      "Transaction ID,Booking Date,Description,Counterparty,Reference,Money Out,Money In\n";
  for (const Entry& b : bank) {
    buffer += b.id + "," + date_dmy(b.day) + "," + quote(b.description) + "," +
              quote(b.counterparty) + "," + quote(b.reference) + "," +
              (b.amount < 0 ? money(-b.amount) : "") + "," +
              (b.amount >= 0 ? money(b.amount) : "") + "\n";
    if (buffer.size() > (1 << 20)) {
      std::fwrite(buffer.data(), 1, buffer.size(), f);
      buffer.clear();
    }
  }
  std::fwrite(buffer.data(), 1, buffer.size(), f);
  std::fclose(f);

  path = out + "/right.csv";
  f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::perror(path.c_str());
    return 1;
  }
  buffer = "id,date,account,amount,currency,ref,memo,payee\n";
  for (const Entry& e : ledger) {
    buffer += e.id + "," + date_iso(e.day) + "," +
              (e.amount >= 0 ? "1100 Receivables" : "2000 Payables") + "," + money(e.amount) +
              ",EUR," + quote(e.reference) + "," + quote(e.description) + "," +
              quote(e.counterparty) + "\n";
    if (buffer.size() > (1 << 20)) {
      std::fwrite(buffer.data(), 1, buffer.size(), f);
      buffer.clear();
    }
  }
  std::fwrite(buffer.data(), 1, buffer.size(), f);
  std::fclose(f);

  path = out + "/truth.csv";
  f = std::fopen(path.c_str(), "wb");
  if (!f) {
    std::perror(path.c_str());
    return 1;
  }
  buffer = "kind,left_id,right_id\n";
  for (const std::string& t : truth) buffer += t + "\n";
  std::fwrite(buffer.data(), 1, buffer.size(), f);
  std::fclose(f);
  std::fprintf(stderr,
               "left.csv: %zu bank lines, right.csv: %zu ledger lines, truth.csv: %zu rows\n",
               bank.size(), ledger.size(), truth.size());
  return 0;
}
