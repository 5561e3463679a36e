#include "bank/statement.h"

#include <cctype>
#include <cstddef>

#include "core/money.h"

namespace oeuvre::bank {

std::string_view format_name(BankFormat format) {
  switch (format) {
    case BankFormat::kCamt052:
      return "camt.052";
    case BankFormat::kCamt053:
      return "camt.053";
    case BankFormat::kCamt054:
      return "camt.054";
    case BankFormat::kMt940:
      return "mt940";
    case BankFormat::kBai2:
      return "bai2";
    case BankFormat::kOfx:
      return "ofx";
  }
  return "unknown";
}

const Balance* StatementInfo::balance(std::string_view type) const {
  for (const Balance& b : balances) {
    if (b.type == type) return &b;
  }
  return nullptr;
}

AmountResult decimal_to_minor(std::string_view text, char decimal_separator,
                              std::string_view currency) {
  const int scale = currency_scale(currency);
  const std::string currency_name =
      currency.empty() ? std::string("the currency") : std::string(currency);
  if (text.empty()) return {0, "is empty"};
  std::int64_t whole = 0;
  std::size_t i = 0;
  bool digits = false;
  for (; i < text.size() && text[i] != decimal_separator; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return {0, "is not a decimal amount"};
    if (whole > kMaxAmountMinor) return {0, "is too large"};
    whole = whole * 10 + (c - '0');
    digits = true;
  }
  std::int64_t fraction = 0;
  int fraction_digits = 0;
  if (i < text.size()) {  // at the separator
    for (++i; i < text.size(); ++i) {
      const char c = text[i];
      if (c < '0' || c > '9') return {0, "is not a decimal amount"};
      digits = true;
      if (fraction_digits < scale) {
        fraction = fraction * 10 + (c - '0');
        ++fraction_digits;
      } else if (c != '0') {
        return {0, "has more decimals than " + currency_name + " allows"};
      }
    }
  }
  if (!digits) return {0, "has no digits"};
  for (; fraction_digits < scale; ++fraction_digits) fraction *= 10;
  std::int64_t factor = 1;
  for (int s = 0; s < scale; ++s) factor *= 10;
  if (whole > kMaxAmountMinor / factor) return {0, "is too large"};
  const std::int64_t minor = whole * factor + fraction;
  if (minor > kMaxAmountMinor) return {0, "is too large"};
  return {minor, ""};
}

namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// Lower-cased copy of ASCII text (other bytes as they are).
std::string lowered(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The token starting at `start`: letters, digits and inner '-', '/', '.'; trailing punctuation cut.
std::string_view token_at(std::string_view text, std::size_t start) {
  std::size_t end = start;
  while (end < text.size() &&
         (is_alnum(text[end]) || text[end] == '-' || text[end] == '/' || text[end] == '.'))
    ++end;
  while (end > start && !is_alnum(text[end - 1])) --end;
  return text.substr(start, end - start);
}

bool has_digit(std::string_view token) {
  for (char c : token)
    if (c >= '0' && c <= '9') return true;
  return false;
}

}  // namespace

std::string find_invoice_reference(std::string_view text) {
  // A structured creditor reference (ISO 11649) anywhere: "RF", 2 check digits, up to 21 more.
  for (std::size_t i = 0; i + 4 < text.size(); ++i) {
    if ((i == 0 || !is_alnum(text[i - 1])) && (text[i] == 'R' || text[i] == 'r') &&
        (text[i + 1] == 'F' || text[i + 1] == 'f') &&
        std::isdigit(static_cast<unsigned char>(text[i + 2])) &&
        std::isdigit(static_cast<unsigned char>(text[i + 3]))) {
      const std::string_view token = token_at(text, i);
      if (token.size() >= 5 && token.size() <= 25 &&
          token.find_first_of("-/.") == std::string_view::npos)
        return std::string(token);
    }
  }
  // A word that names an invoice, then its number: "Invoice 12345", "INV-2024-001",
  // "Rechnung Nr. 4711".
  static constexpr std::string_view kWords[] = {"invoice", "inv",     "rechnung", "factuur",
                                                "facture", "factura", "fattura",  "faktura",
                                                "bill",    "re"};
  const std::string lower = lowered(text);
  for (std::size_t i = 0; i < lower.size(); ++i) {
    if (i > 0 && is_alnum(lower[i - 1])) continue;
    for (std::string_view word : kWords) {
      if (lower.compare(i, word.size(), word) != 0) continue;
      std::size_t j = i + word.size();
      if (j < lower.size() && std::isalpha(static_cast<unsigned char>(lower[j]))) continue;
      // Skip separators and a "no"/"nr"/"number"/"#" between the word and the number.
      while (j < lower.size()) {
        if (lower[j] == ' ' || lower[j] == ':' || lower[j] == '.' || lower[j] == '#' ||
            lower[j] == '-') {
          ++j;
        } else if (lower.compare(j, 6, "number") == 0) {
          j += 6;
        } else if (lower.compare(j, 2, "no") == 0 || lower.compare(j, 2, "nr") == 0) {
          j += 2;
        } else {
          break;
        }
      }
      if (j >= lower.size() || !is_alnum(lower[j])) continue;
      const std::string_view token = token_at(text, j);
      if (token.size() >= 3 && has_digit(token)) {
        // "INV-2024-001": keep the word when it was glued to the number by a hyphen.
        if (text.substr(i + word.size(), 1) == "-" && j == i + word.size() + 1)
          return std::string(text.substr(i, word.size() + 1)) + std::string(token);
        return std::string(token);
      }
    }
  }
  return "";
}

std::string best_reference(const Transaction& t, std::string_view fallback) {
  if (!t.creditor_reference.empty()) return t.creditor_reference;
  if (!t.end_to_end_id.empty()) return t.end_to_end_id;
  std::string invoice = find_invoice_reference(t.description);
  if (!invoice.empty()) return invoice;
  return std::string(fallback);
}

}  // namespace oeuvre::bank
