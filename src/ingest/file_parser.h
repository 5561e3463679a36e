#pragma once
// FileParser: turns an uploaded file into store-ready records. Formats: CSV (delimiter sniffed among
// , ; TAB |, via the one csv::CsvReader), a JSON array of objects, and JSON Lines (one object per
// line). Columns are mapped from header aliases (ingest::map_columns) unless the column mapping
// names them. It is the one reader of record files: uploads on the server, `oeuvre reconcile` and
// the engine's test cases all read through it. Two passes over the file: analyse() decides the layout (format, delimiter, header, mapping,
// date order from the whole date column, decimal separator) and checks every row; read_records()
// then yields the good records in file order. A bad row is reported (line, column, value, reason)
// and never stops the good ones; a file that is not a table at all fails analyse() with a clear
// message. Memory stays bounded by the batch size, whatever the file size.
//
// Decisions (details in row_parser.h, csv_row_source.h, json_row_source.h):
// - Blank lines, and CSV rows whose cells are all empty (";;;;"), are skipped, not counted.
// - A CSV row with fewer or more fields than the header is a row error with column ""; extra
//   trailing fields that are all empty are ignored. When every row is ragged the header is broken
//   and analyse() fails.
// - Dates: dd/mm vs mm/dd is decided from the whole column. Evidence for both orders, or numeric
//   dates none of which has a number above 12, fail analyse() asking for column_mapping.date_format
//   -- except when every such date is written with dots (dd.mm.yyyy), a day-first-only convention.
// - The decimal separator is voted by every text amount of the file (detect_decimal_separator's
//   rule); JSON numbers always use '.'.
// - JSON: numbers keep their original text, so amounts are exact ("0.1" is 10 cents); an exponent
//   is expanded exactly ("1e2" is 100). A nested object/array is kept as its compact JSON text
//   (in extra_json as a string; an error when it is the date or amount). null is an empty value;
//   a repeated key is a row error.
// - Currency: the currency column, else a code in the amount text ("12.00 USD"), else
//   default_currency; a code in the amount text that contradicts the currency column is a row
//   error. Symbols ($, EUR sign, ...) are accepted but never decide or contradict a currency.
// - DR/CR written in the amount text, or a debit/credit indicator column (found by aliases such as
//   dr_cr, debit_credit, credit_debit_indicator, direction, or named), sign the amount: debit
//   negative, credit positive.
//
// Thread-safety: one parser per thread; distinct parsers are independent.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "ingest/amount_parser.h"
#include "ingest/column_mapping.h"
#include "ingest/date_parser.h"

namespace oeuvre::ingest {

// How to read one file: the user's column mapping (everything it leaves unset is detected from the
// file) and bounds on untrusted input.
struct ParseSettings {
  ColumnMapping mapping;
  // A row without a currency (no currency column or an empty cell, no code in the amount text, no
  // mapping.default_currency) is an error naming column_mapping.default_currency -- unless this is
  // set: then it is read at this scale (0..6) with currency "". The server leaves it unset (every
  // stored record has a currency); `oeuvre reconcile` sets it (--scale), as files compared offline
  // often carry no currency.
  std::optional<int> unknown_currency_scale;
  // A file without an amount column (nor debit and credit columns) fails analyse() -- unless this
  // is set, or mapping.amount_optional: then its records have no amount (amount_minor 0, no
  // currency needed, FileLayout::has_amounts false). `oeuvre reconcile` sets it when the rules
  // compare no amounts (customer or person records); on the server a data source's mapping says so.
  bool amount_optional = false;
  std::size_t max_records = 50'000'000;  // more rows fail analyse() (bound on untrusted input)
  std::size_t max_errors_kept = 10'000;  // row errors beyond this are counted, not kept
};

struct ParsedRecord {
  std::uint64_t line = 0;                 // 1-based line of the row (JSON array: line of its '{')
  std::string external_id;                // "" when the file has no id column
  std::optional<std::int32_t> date_days;  // days since 1970-01-01; nullopt when there is no date column
  std::int64_t amount_minor = 0;          // at the currency's scale (JPY 0, EUR 2, KWD 3 ...)
  std::string currency;                   // ISO 4217, upper case
  std::string description, reference, counterparty;
  // The unmapped columns as a compact JSON object {"Header":"value"}; "{}" if none. For a bank
  // statement, its fields beyond the record's (value_date, counterparty_account, ...: see
  // bank_file_parser.h), text values too.
  std::string extra_json;
};

struct RowError {
  std::uint64_t line = 0;
  std::string column;  // the header name, or "" for a row-level problem (ragged row, not an object)
  std::string value;   // the offending text, cut to 200 bytes on a character boundary
  std::string reason;  // "not an amount", "day 31 does not exist in April", ...
};

struct FileLayout {
  std::string format;  // "csv" | "json" | "jsonl"
  char delimiter = '\0';  // CSV only
  std::vector<std::string> header;  // CSV header, or JSON keys in first-seen order
  // Resolved mapping: record field ("date", "amount", "debit", "credit", "currency", "reference",
  // "description", "counterparty", "external_id", "credit_debit_indicator") -> header name, only
  // the mapped ones.
  std::vector<std::pair<std::string, std::string>> mapping;
  DateOrder date_order = DateOrder::kYearMonthDay;
  DecimalSeparator decimal_separator = DecimalSeparator::kDot;
  // False when the file has no amount column (ParseSettings::amount_optional): its records carry
  // no amounts.
  bool has_amounts = true;
  std::uint64_t rows = 0;         // data rows seen by analyse()
  std::uint64_t rows_failed = 0;  // of which bad (errors() keeps the first max_errors_kept)
  // Bank statement files: how many statements, and what the user should know that is no reason to
  // refuse the file (balances that do not add up: "line 4: statement 12: opening balance ...").
  std::uint64_t statements = 0;
  std::vector<std::string> warnings;
};

// Progress callback: fraction of the file's bytes consumed by the current pass, 0..1, called at
// most every ~64k rows.
using ProgressFn = std::function<void(double fraction)>;

class FileParser {
 public:
  // Opens `path` (the stored upload). `filename` and `content_type` only hint the format; the bytes
  // decide (a leading '[' is a JSON array, a leading '{' JSON Lines, else CSV).
  static Result<std::unique_ptr<FileParser>> open(std::string path, std::string filename,
                                                  std::string content_type, ParseSettings settings);
  virtual ~FileParser() = default;

  // Pass 1. Fails (kValidation, field "file", message a user can act on) when the file is not a
  // table: binary or not UTF-8, UTF-16, no header, no amount column (unless
  // ParseSettings::amount_optional), JSON that is not objects,
  // ambiguous dd/mm vs mm/dd dates ("set column_mapping.date_format"), too many rows.
  // With a `sink`, the good records are also handed to it in file order, in batches of at most
  // `batch_size`, as they are checked (the caller that needs no check before the first record
  // saves read_records()' pass); an error the sink returns ends analyse() with that error.
  virtual Result<FileLayout> analyse(const ProgressFn& progress = {}) = 0;
  virtual Result<FileLayout> analyse(
      std::size_t batch_size, const std::function<Status(std::span<const ParsedRecord>)>& sink,
      const ProgressFn& progress = {}) = 0;
  // What analyse() has decided so far: the format, header and mapping are set before the first
  // record reaches its sink; everything once it returns.
  virtual const FileLayout& layout() const = 0;
  // The kept row errors of analyse(), in file order.
  virtual const std::vector<RowError>& errors() const = 0;

  // Pass 2. REQUIRES: analyse() succeeded. Calls `sink` with consecutive batches (at most
  // `batch_size` each) of the good records in file order; stops at the first error `sink` returns.
  virtual Status read_records(std::size_t batch_size,
                              const std::function<Status(std::span<const ParsedRecord>)>& sink,
                              const ProgressFn& progress = {}) = 0;
};

// The first rows as parsed, for a user checking the mapping before matching. The date order and
// decimal separator are decided from these rows only (unless set).
struct PreviewRow {
  std::uint64_t line = 0;
  std::vector<std::string> cells;  // raw values in header order ("" for a missing JSON key)
  std::optional<ParsedRecord> record;
  std::vector<RowError> errors;  // why the row is bad, when record is empty
};
struct Preview {
  FileLayout layout;
  std::vector<PreviewRow> rows;
};
Result<Preview> preview_file(const std::string& path, const std::string& filename,
                             const std::string& content_type, const ParseSettings& settings,
                             std::size_t max_rows = 20);

}  // namespace oeuvre::ingest
