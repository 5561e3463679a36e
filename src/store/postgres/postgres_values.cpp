#include "store/postgres/postgres_values.h"

#include <charconv>
#include <cmath>
#include <type_traits>

#include "core/time.h"

namespace oeuvre::store::pg {

namespace {

std::string double_text(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest exact representation
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

}  // namespace

std::string value_text(const Value& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return std::string();
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          return double_text(v);
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::chrono::sys_days>) {
          return format_date(v);  // ISO, which the server reads whatever its DateStyle
        } else {
          return v;
        }
      },
      value);
}

bool has_nul(const Value& value) {
  const auto* s = std::get_if<std::string>(&value);
  return s != nullptr && s->find('\0') != std::string::npos;
}

}  // namespace oeuvre::store::pg
