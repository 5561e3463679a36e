#pragma once
// The one list of a record's standard fields: the name a rule gives each (lowercase, as the engine
// names fields: docs/engine.md), the name the API shows it under, and its value as text. Any other
// field name a rule uses is an extra column of the record (store::Record::extra).
// Thread-safety: constants and pure functions.

#include <array>
#include <string>
#include <string_view>

#include "engine/record_table.h"
#include "store/record_repository.h"

namespace oeuvre::services {

using engine::StandardField;

struct ShownField {
  StandardField field;        // named in rules and explanations by engine::kStandardFieldNames
  std::string_view api_name;  // in records, previews and exports
  bool free_text;  // written by people: an export guards it against spreadsheet formulas
};

// In StandardField's order, which is the order exports write them.
inline constexpr std::array<ShownField, engine::kStandardFieldNames.size()> kStandardFields = {{
    {StandardField::kId, "external_id", true},
    {StandardField::kDate, "transaction_date", false},
    {StandardField::kAmount, "amount", false},
    {StandardField::kCurrency, "currency", false},
    {StandardField::kReference, "reference", true},
    {StandardField::kDescription, "description", true},
    {StandardField::kCounterparty, "counterparty", true},
}};

// The standard field a rule names (matched case-insensitively), or nullptr for an extra column.
const ShownField* find_standard_field(std::string_view rule_name);

// `field` of `record` as text: the external id, the date (YYYY-MM-DD, "" when none), the amount as
// an exact decimal at its currency's scale ("-12.50"), or the text as stored.
std::string standard_value(const store::Record& record, StandardField field);

// The value of the field a rule names (lowercase) on `record`: standard_value for a standard field,
// else the extra column of that name (keys matched case-insensitively; a non-string value as its
// JSON text; "" when absent).
std::string rule_field_value(const store::Record& record, std::string_view rule_name);

}  // namespace oeuvre::services
