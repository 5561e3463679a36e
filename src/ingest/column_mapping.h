#pragma once
// ColumnMapping: the one model of how to read a file into records — a data source's
// `column_mapping` (stored with it, sent by the API) and `oeuvre reconcile --mapping` alike: which
// header holds which record field, how dates and decimals are written, the currency to assume and
// whether a file with bad rows is refused whole. Every key is optional; what is not set is detected
// per file (column_indexes.h resolves the columns, FileParser the rest).
// Parsing is strict (unknown keys and wrong types are errors naming the exact field path, e.g.
// "column_mapping.columns.amount"), so a typo never silently becomes "detect automatically".
// Thread-safety: pure functions and value types.

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "ingest/amount_parser.h"
#include "ingest/date_parser.h"

namespace oeuvre::ingest {

// Header names (as they appear in the file) for the standard record fields.
struct MappedColumns {
  std::optional<std::string> date;
  std::optional<std::string> amount;  // signed amount; excludes debit/credit
  std::optional<std::string> debit;   // with credit: money out / money in in two columns
  std::optional<std::string> credit;
  std::optional<std::string> currency;
  std::optional<std::string> reference;
  std::optional<std::string> description;
  std::optional<std::string> counterparty;
  std::optional<std::string> external_id;
  // "DR"/"CR", "D"/"C", "Debit"/"Credit" per row, signing the amount column (not with
  // debit/credit).
  std::optional<std::string> credit_debit_indicator;

  bool empty() const;
  bool operator==(const MappedColumns&) const = default;
};

enum class DateFormat {
  kAuto,        // "auto": decided per file from the data
  kIso,         // "iso": yyyy-mm-dd (ISO 8601)
  kDayFirst,    // "dd/mm/yyyy"
  kMonthFirst,  // "mm/dd/yyyy"
  kDotted,      // "dd.mm.yyyy"
  kCompact,     // "yyyymmdd"
};

struct ColumnMapping {
  MappedColumns columns;
  std::optional<DateFormat> date_format;
  std::optional<DecimalSeparator> decimal_separator;
  std::optional<std::string> default_currency;  // ISO 4217 code: three upper-case letters
  std::optional<bool> all_or_nothing;           // true: one bad row fails the whole file
  // true: a file without an amount column (nor debit and credit columns) is read, its records
  // without amounts -- customers, suppliers, people (ParseSettings::amount_optional); default:
  // such a file is refused.
  std::optional<bool> amount_optional;

  bool operator==(const ColumnMapping&) const = default;
};

// The JSON spelling of each enum value ("dd/mm/yyyy", ",").
std::string_view to_string(DateFormat format);
std::string_view to_string(DecimalSeparator separator);

// Validates `value` as a column mapping:
//   {"columns": {"date"|"amount"|"debit"|"credit"|"currency"|"reference"|"description"|
//                "counterparty"|"external_id"|"credit_debit_indicator":
//                "<header name, 1-255 characters>"},
//    "date_format": "auto"|"iso"|"dd/mm/yyyy"|"mm/dd/yyyy"|"dd.mm.yyyy"|"yyyymmdd",
//    "decimal_separator": "auto"|"."|",", "default_currency": "EUR", "all_or_nothing": false,
//    "amount_optional": false}
// Every key is optional and a null value counts as absent. amount excludes debit and credit; debit
// and credit go together and name different headers; credit_debit_indicator excludes debit/credit.
// Fails with kValidation listing every problem at once, each field path prefixed with `field`
// ("column_mapping.columns.amount").
Result<ColumnMapping> parse_column_mapping(const boost::json::value& value,
                                           std::string_view field = "column_mapping");

// The canonical JSON form: only the keys that are set ("columns" only when some column is mapped).
// parse_column_mapping(to_json(m)) == m.
boost::json::object to_json(const ColumnMapping& mapping);

// to_json(mapping) as compact text, the stored form.
std::string serialize_column_mapping(const ColumnMapping& mapping);

// Reads a stored mapping back. kValidation when `text` is not JSON or not a valid mapping.
Result<ColumnMapping> column_mapping_from_text(std::string_view text);

// The date order that `format` fixes: iso and yyyymmdd year first; dd/mm/yyyy and dd.mm.yyyy day
// first; mm/dd/yyyy month first; nullopt for auto (decided per file).
std::optional<DateOrder> date_order_of(DateFormat format);

}  // namespace oeuvre::ingest
