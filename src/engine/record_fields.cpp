#include "engine/record_fields.h"

#include <string>

namespace oeuvre::engine {
namespace {

using Kind = FieldRef::Kind;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<FieldRef> resolve_standard(const RecordTable& table, const std::string& n) {
  if (const std::optional<StandardField> standard = standard_field(n)) {
    // FieldRef::Kind lists the standard fields first, in StandardField's order.
    static_assert(static_cast<int>(Kind::kCounterparty) == static_cast<int>(StandardField::kCounterparty));
    return FieldRef{static_cast<Kind>(*standard), 0};
  }
  for (std::size_t i = 0; i < table.extras.size(); ++i) {
    if (lower(table.extras[i].name) == n) return FieldRef{Kind::kExtra, i};
  }
  return std::nullopt;
}

}  // namespace

std::optional<FieldRef> resolve_field(const RecordTable& table, std::string_view name) {
  std::string n = lower(name);
  if (auto found = resolve_standard(table, n)) return found;
  for (const auto& [column, field] : table.column_names) {
    if (lower(column) == n) return resolve_standard(table, lower(field));
  }
  return std::nullopt;
}

bool field_is_present(const RecordTable& t, const FieldRef& f) {
  switch (f.kind) {
    case Kind::kId:
      return true;
    case Kind::kDate:
      return t.has_date;
    case Kind::kAmount:
      return t.has_amount;
    case Kind::kCurrency:
      return t.has_currency;
    case Kind::kReference:
      return t.has_reference;
    case Kind::kDescription:
      return t.has_description;
    case Kind::kCounterparty:
      return t.has_counterparty;
    case Kind::kExtra:
      return true;
  }
  return false;
}

ValueType value_type(const RecordTable& t, const FieldRef& f) {
  switch (f.kind) {
    case Kind::kDate:
      return ValueType::kDate;
    case Kind::kAmount:
      return ValueType::kNumber;
    case Kind::kExtra:
      switch (t.extras[f.extra].kind) {
        case ExtraKind::kText:
          return ValueType::kText;
        case ExtraKind::kNumber:
          return ValueType::kNumber;
        case ExtraKind::kDate:
          return ValueType::kDate;
      }
      return ValueType::kText;
    default:
      return ValueType::kText;
  }
}

}  // namespace oeuvre::engine
