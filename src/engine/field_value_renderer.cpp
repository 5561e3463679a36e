#include "engine/field_value_renderer.h"

#include <algorithm>
#include <vector>

#include "core/date.h"
#include "core/money.h"
#include "engine/amount_similarity.h"

namespace oeuvre::engine {

FieldValueRenderer::FieldValueRenderer(const RecordTable& table, std::string_view field)
    : table_(&table) {
  std::optional<FieldRef> resolved = resolve_field(table, field);
  if (resolved && field_is_present(table, *resolved)) field_ = resolved;
}

void FieldValueRenderer::render(std::span<const std::uint32_t> indices, std::string& out) const {
  out.clear();
  if (!field_) return;
  const RecordTable& table = *table_;
  const FieldRef field = *field_;
  switch (value_type(table, field)) {
    case ValueType::kNumber: {
      __int128 sum = 0;
      for (std::uint32_t i : indices) sum += number_of(table, field, i);
      if (field.kind == FieldRef::Kind::kAmount) {
        out = format_minor_units(clamp128(sum), table.amount_scale);
      } else {
        out = std::to_string(clamp128(sum));
      }
      return;
    }
    case ValueType::kDate: {
      if (indices.size() == 1) {
        out = format_iso_date(static_cast<std::int32_t>(number_of(table, field, indices[0])));
        return;
      }
      std::vector<std::int32_t> dates;
      for (std::uint32_t i : indices)
        dates.push_back(static_cast<std::int32_t>(number_of(table, field, i)));
      std::sort(dates.begin(), dates.end());
      dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
      for (std::int32_t d : dates) {
        if (!out.empty()) out += "; ";
        out += format_iso_date(d);
      }
      return;
    }
    case ValueType::kText: {
      if (indices.size() == 1) {
        out.assign(text_of(table, field, indices[0]));
        return;
      }
      std::vector<std::string_view> values;
      for (std::uint32_t i : indices) {
        std::string_view v = text_of(table, field, i);
        if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
      }
      for (std::string_view v : values) {
        if (!out.empty()) out += "; ";
        out.append(v);
      }
      return;
    }
  }
}

std::string_view FieldValueRenderer::render_view(std::span<const std::uint32_t> indices,
                                                 std::string& scratch) const {
  if (field_ && indices.size() == 1 && value_type(*table_, *field_) == ValueType::kText)
    return text_of(*table_, *field_, indices[0]);
  render(indices, scratch);
  return scratch;
}

std::string render_field_value(const RecordTable& table, std::string_view field,
                               std::span<const std::uint32_t> indices) {
  std::string out;
  FieldValueRenderer(table, field).render(indices, out);
  return out;
}

}  // namespace oeuvre::engine
