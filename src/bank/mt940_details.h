#pragma once
// MT940's :86: field (information to the account owner) read into what it says about a
// transaction, for mt940.cpp, in whichever dialect the bank writes it (mt940.h lists them): the
// German/Polish "?"-subfields with SEPA keywords, the "/TAG/value/" structure, ABN AMRO's and
// Knab's "KEY: value" text, or plain text. With it, the text rules of MT940 fields that the
// statement lines (:61:) share: blanks (space, tab) trimmed or collapsed, codes kept only when
// not empty, NONREF as no reference.
// Thread-safety: pure functions, safe for concurrent use.

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace oeuvre::bank::mt940 {

using Codes = std::vector<std::pair<std::string, std::string>>;

// ---- Text rules of MT940 fields ----

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
inline bool is_alnum_upper(char c) { return is_upper(c) || is_digit(c); }
inline bool is_blank_char(char c) { return c == ' ' || c == '\t'; }

// True when `text` is not empty and only ASCII digits.
bool all_digits(std::string_view text);
// The number of two ASCII digits. REQUIRES: text.size() >= 2, both digits.
int two_digits(std::string_view text);
// `text` without blanks at either end.
std::string_view trim(std::string_view text);
// Runs of blanks and line breaks become one space; the ends are trimmed.
std::string collapse_spaces(std::string_view text);
// `text` without any blank.
std::string without_spaces(std::string_view text);
// Appends `piece` to `text` after a space (none when `text` is empty); nothing for an empty piece.
void append_sentence(std::string& text, std::string_view piece);
// True for "" and "NONREF", the placeholder for no reference.
bool is_no_reference(std::string_view text);
// Adds {key, collapse_spaces(value)} to `codes` unless that is empty.
void add_code(Codes& codes, std::string key, std::string_view value);

// ---- :86: ----

// SWIFT wraps :86: text at 65 characters a line (the tag included on the first line): a line that
// long continues in the next one without a space; a shorter one ended where the bank meant it to.
inline constexpr std::size_t kFullLineWidth = 65;

// One line of a transaction's :86: tags.
struct InfoLine {
  std::string text;         // without the tag
  std::size_t width = 0;    // the line's length in the file, tag included
  bool starts_tag = false;  // the first line of a :86: tag
};

// What the :86: says about a transaction.
struct Details {
  std::string description;
  std::string counterparty_name, counterparty_account;
  std::string end_to_end_id;
  std::string creditor_reference;
  // The account was taken from the :61: customer reference (SNS/ASNB), which is then no reference.
  bool account_from_customer_reference = false;
  Codes codes;
};

// Reads the :86: lines of a transaction in whichever dialect they are written. The :61:
// customer reference helps with SNS/ASNB, whose :86: starts with the counterparty's account (the
// same as the customer reference) and name: "NL47INGB9999999999 hr gjlm paulissen".
Details interpret_details(const std::vector<InfoLine>& lines, std::string_view customer_reference);

}  // namespace oeuvre::bank::mt940
