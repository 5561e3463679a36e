#include <charconv>
#include <cstdlib>

#include "store/database.h"

namespace oeuvre::store {

namespace {
const std::string kEmpty;
}

const std::string& Row::text(std::size_t i) const {
  const auto& cell = cells_.at(i);
  return cell ? *cell : kEmpty;
}

std::string Row::take_text(std::size_t i) {
  auto& cell = cells_.at(i);
  if (!cell) return {};
  std::string out = std::move(*cell);
  cell.reset();
  return out;
}

std::optional<std::string> Row::take_optional_text(std::size_t i) {
  auto& cell = cells_.at(i);
  std::optional<std::string> out = std::move(cell);
  cell.reset();
  return out;
}

std::int64_t Row::integer(std::size_t i) const {
  const auto& cell = cells_.at(i);
  if (!cell) return 0;
  std::int64_t v = 0;
  std::from_chars(cell->data(), cell->data() + cell->size(), v);
  return v;
}

double Row::real(std::size_t i) const {
  const auto& cell = cells_.at(i);
  if (!cell) return 0.0;
  return std::strtod(cell->c_str(), nullptr);
}

bool Row::boolean(std::size_t i) const {
  const auto& cell = cells_.at(i);
  if (!cell || cell->empty()) return false;
  const char c = (*cell)[0];
  return c == 't' || c == 'T' || c == '1';
}

}  // namespace oeuvre::store
