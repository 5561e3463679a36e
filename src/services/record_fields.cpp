#include "services/record_fields.h"

#include <boost/json.hpp>

#include "core/money.h"
#include "core/json_text.h"
#include "core/utf8.h"
#include "engine/record_table.h"
#include "ingest/file_parser.h"

namespace oeuvre::services {

const StandardField* find_standard_field(std::string_view rule_name) {
  const std::string name = ascii_lowercase(rule_name);
  for (const StandardField& f : kStandardFields) {
    if (f.rule_name == name) return &f;
  }
  return nullptr;
}

std::string standard_value(const store::Record& record, RecordField field) {
  switch (field) {
    case RecordField::kExternalId:
      return record.external_id;
    case RecordField::kDate:
      return record.transaction_date.value_or("");
    case RecordField::kAmount:
      return format_minor_units(record.amount_minor,
                                        currency_scale(record.currency));
    case RecordField::kCurrency:
      return record.currency;
    case RecordField::kReference:
      return record.reference;
    case RecordField::kDescription:
      return record.description;
    case RecordField::kCounterparty:
      return record.counterparty;
  }
  return "";
}

std::string rule_field_value(const store::Record& record, std::string_view rule_name) {
  if (const StandardField* standard = find_standard_field(rule_name)) {
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
