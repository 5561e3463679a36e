#include "engine/record_table.h"

namespace oeuvre::engine {

std::optional<StandardField> standard_field(std::string_view name) {
  for (std::size_t k = 0; k < kStandardFieldNames.size(); ++k) {
    const std::string_view standard = kStandardFieldNames[k];
    if (name.size() != standard.size()) continue;
    bool equal = true;
    for (std::size_t i = 0; i < name.size() && equal; ++i) {
      const char c = name[i];
      equal = (c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) == standard[i];
    }
    if (equal) return static_cast<StandardField>(k);
  }
  return std::nullopt;
}

Status RecordTable::check_consistent() const {
  const std::size_t n = size();
  auto check = [&](std::size_t got, const char* name) -> Status {
    if (got != n) {
      return Error::Internal(std::string("record column '") + name + "' has " +
                             std::to_string(got) + " entries, expected " + std::to_string(n));
    }
    return OkStatus();
  };
  RETURN_IF_ERROR(check(dates.size(), "date"));
  RETURN_IF_ERROR(check(amounts.size(), "amount"));
  RETURN_IF_ERROR(check(currencies.size(), "currency"));
  RETURN_IF_ERROR(check(references.size(), "reference"));
  RETURN_IF_ERROR(check(descriptions.size(), "description"));
  RETURN_IF_ERROR(check(counterparties.size(), "counterparty"));
  for (const ExtraColumn& extra : extras) {
    RETURN_IF_ERROR(check(extra.kind == ExtraKind::kText ? extra.text.size() : extra.numbers.size(),
                          extra.name.c_str()));
  }
  return OkStatus();
}

}  // namespace oeuvre::engine
