#include "services/record_fields.h"

#include <boost/json.hpp>

#include "core/money.h"
#include "core/json_text.h"
#include "core/utf8.h"
#include "engine/record_table.h"
#include "ingest/file_parser.h"

namespace oeuvre::services {

namespace {
constexpr bool in_standard_field_order() {
  for (std::size_t i = 0; i < kStandardFields.size(); ++i) {
    if (static_cast<std::size_t>(kStandardFields[i].field) != i) return false;
  }
  return true;
}
static_assert(in_standard_field_order(), "kStandardFields is indexed by StandardField");
}  // namespace

const ShownField* find_standard_field(std::string_view rule_name) {
  const std::optional<StandardField> field = engine::standard_field(rule_name);
  return field ? &kStandardFields[static_cast<std::size_t>(*field)] : nullptr;
}

std::string standard_value(const store::Record& record, StandardField field) {
  switch (field) {
    case StandardField::kId:
      return record.external_id;
    case StandardField::kDate:
      return record.transaction_date.value_or("");
    case StandardField::kAmount:
      if (!record.has_amount()) return "";
      return format_minor_units(record.amount_minor, currency_scale(record.currency));
    case StandardField::kCurrency:
      return record.currency;
    case StandardField::kReference:
      return record.reference;
    case StandardField::kDescription:
      return record.description;
    case StandardField::kCounterparty:
      return record.counterparty;
  }
  return "";
}

std::string rule_field_value(const store::Record& record, std::string_view rule_name) {
  if (const ShownField* standard = find_standard_field(rule_name)) {
    return standard_value(record, standard->field);
  }
  boost::system::error_code ec;
  const boost::json::value extra = boost::json::parse(record.extra, ec);
  if (ec || !extra.is_object()) return "";
  for (const auto& [key, value] : extra.as_object()) {
    if (ascii_lowercase(key) != rule_name) continue;
    if (value.is_string()) return std::string(value.as_string());
    return to_json_text(value);
  }
  return "";
}

}  // namespace oeuvre::services
