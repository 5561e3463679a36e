#pragma once
// Internal: where a rule's field lives in a RecordTable, and reading its values. A field name (a
// standard field, an extra column, or a source column name mapped to a standard field) resolves
// once to a FieldRef; the hot loops then read values through it without looking names up.
// Thread-safety: pure functions over const tables.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/record_table.h"

namespace oeuvre::engine {

// Where a rule's value lives in a RecordTable.
struct FieldRef {
  // The standard fields in StandardField's order (record_table.h), then the extra columns.
  enum class Kind {
    kId,
    kDate,
    kAmount,
    kCurrency,
    kReference,
    kDescription,
    kCounterparty,
    kExtra
  };
  Kind kind = Kind::kId;
  std::size_t extra = 0;  // index into RecordTable::extras when kind == kExtra
};

// The field named `name` (case-insensitive): a standard field, an extra column, or a source column
// named in table.column_names; nullopt when there is none.
std::optional<FieldRef> resolve_field(const RecordTable& table, std::string_view name);

// False when the table lacks the column (has_* false); ids and extras are always present.
bool field_is_present(const RecordTable& table, const FieldRef& field);

// What a field holds: text, a number (amounts in minor units, extra numbers) or a date (days).
enum class ValueType { kText, kNumber, kDate };
ValueType value_type(const RecordTable& table, const FieldRef& field);

// The text of record i. REQUIRES: value_type(table, field) == kText, i < table.size().
inline std::string_view text_of(const RecordTable& t, const FieldRef& f, std::size_t i) {
  switch (f.kind) {
    case FieldRef::Kind::kId:
      return t.ids[i];
    case FieldRef::Kind::kCurrency:
      return t.currencies[i];
    case FieldRef::Kind::kReference:
      return t.references[i];
    case FieldRef::Kind::kDescription:
      return t.descriptions[i];
    case FieldRef::Kind::kCounterparty:
      return t.counterparties[i];
    case FieldRef::Kind::kExtra:
      return t.extras[f.extra].text[i];
    default:
      return {};
  }
}

// The number (or date in days) of record i. REQUIRES: value_type(table, field) != kText,
// i < table.size().
[[gnu::always_inline]] inline std::int64_t number_of(const RecordTable& t, const FieldRef& f,
                                                     std::size_t i) {
  if (f.kind == FieldRef::Kind::kAmount) return t.amounts[i];
  if (f.kind == FieldRef::Kind::kDate) return t.dates[i];
  return t.extras[f.extra].numbers[i];
}

}  // namespace oeuvre::engine
