#pragma once
// RowParser: one row's cells to a ParsedRecord, or to the RowErrors saying why not, once the
// file's layout is decided (mapping, date order, decimal separator). analyse(), read_records() and
// preview_file() all read rows through it, so they agree row for row.
//
// Rules (see file_parser.h for the file-level ones):
// - Text fields (external_id, description, reference, counterparty) and extras are trimmed of
//   surrounding white space; a JSON number/boolean keeps its text, null is "", a nested
//   object/array its compact JSON text.
// - A NUL character (U+0000) in any cell is an error: no text column can hold it.
// - Date: empty is an error when there is a date column; a nested value is an error.
// - Currency: the currency cell (three ASCII letters, upper-cased); else a 3-letter code written in
//   the amount text ("12.00 USD"); else the mapping's default_currency; else "" at
//   unknown_currency_scale when that is set; else an error naming column_mapping.default_currency. A code in the amount text that differs from the currency
//   cell is an error (symbols such as $ are ambiguous and never checked).
// - Amount: exact, at the currency's scale; a JSON number uses its original text with the '.'
//   decimal separator, an exponent expanded exactly ("1e2" is 100, "1.5E-1" is 0.15); a
//   debit/credit indicator column signs it. Debit/credit columns: |credit| - |debit|, both empty
//   is an error.
// - No amount column (ParseSettings::amount_optional): amount 0 and currency "" (a currency column
//   is then an extra column, default_currency does not apply).
// - extra_json: every unmapped column as {"Header":"text"} (all values JSON strings), in header
//   order; a JSON key missing from the object is left out; a column with an empty header name
//   appears as "column N" (1-based) when its value is not empty.
//
// Thread-safety: external synchronisation needed (it keeps scratch buffers).

#include <optional>
#include <string>
#include <vector>

#include "ingest/column_indexes.h"
#include "ingest/file_parser.h"
#include "ingest/row_source.h"

namespace oeuvre::ingest {

struct RowLayout {
  std::vector<std::string> header;
  ColumnIndexes columns;
  // nullopt: numeric dates (a/b/yyyy) cannot be read, each is an error with `undecided_dates`.
  std::optional<DateOrder> date_order;
  std::string undecided_dates;
  DecimalSeparator decimal_separator = DecimalSeparator::kDot;
  std::optional<std::string> default_currency;
  std::optional<int> unknown_currency_scale;  // ParseSettings::unknown_currency_scale
};

class RowParser {
 public:
  explicit RowParser(RowLayout layout);

  // Reads `row`. True when it is good: `*record` (if not null) holds it. False when it is bad: at
  // least one error was appended to `errors` (and `*record` is unspecified).
  bool parse(const SourceRow& row, ParsedRecord* record, std::vector<RowError>& errors);

  const RowLayout& layout() const { return layout_; }

 private:
  struct Extra {
    std::size_t column;
    std::string json_key;  // "\"Header\":", escaped
    bool unnamed;          // empty header name: only non-empty values are kept
  };

  int scale_of(std::string_view currency);

  RowLayout layout_;
  std::vector<Extra> extras_;
  std::string expanded_[2];  // amounts with an exponent, written out (amount or debit, credit)
  char cached_currency_[3] = {0, 0, 0};
  int cached_scale_ = 2;
};

// Rewrites the JSON number `number` ("-1.5e-3") without its exponent ("-0.0015") into `out`.
// False when the exponent is beyond +-40 or the text is not a JSON number.
bool expand_exponent(std::string_view number, std::string& out);

}  // namespace oeuvre::ingest
