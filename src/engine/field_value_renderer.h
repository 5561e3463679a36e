#pragma once
// FieldValueRenderer: a field's value for some records, as explanations and reports show it.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "engine/record_fields.h"
#include "engine/record_table.h"

namespace oeuvre::engine {

// Renders the value of one field (a rule field name) for some records of `table`, as shown in
// explanations: a sum for amounts and numbers, the distinct values joined by "; " otherwise; "" for
// an unknown field. Resolves the field once, so writers can render millions of groups cheaply.
// Thread-safety: const methods are safe for concurrent use. REQUIRES: `table` outlives the
// renderer.
class FieldValueRenderer {
 public:
  FieldValueRenderer(const RecordTable& table, std::string_view field);
  // Replaces the contents of `out` with the value for `indices`.
  void render(std::span<const std::uint32_t> indices, std::string& out) const;
  // The same value as a view: into the table when it is one record's text, else rendered into
  // `scratch`. Valid while the table and `scratch` are unchanged.
  std::string_view render_view(std::span<const std::uint32_t> indices, std::string& scratch) const;

 private:
  const RecordTable* table_;
  std::optional<FieldRef> field_;
};

// FieldValueRenderer(table, field).render(indices) as a new string.
std::string render_field_value(const RecordTable& table, std::string_view field,
                               std::span<const std::uint32_t> indices);

}  // namespace oeuvre::engine
