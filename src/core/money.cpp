#include "core/money.h"

namespace oeuvre {

int currency_scale(std::string_view currency) {
  if (currency.size() != 3) return 2;
  char code[3];
  for (std::size_t i = 0; i < 3; ++i) {
    const char c = currency[i];
    code[i] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  const std::string_view upper(code, 3);
  // ISO 4217 minor units.
  static constexpr std::string_view kNoDecimals[] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY",
                                                     "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                                                     "VND", "VUV", "XAF", "XOF", "XPF"};
  static constexpr std::string_view kThreeDecimals[] = {"BHD", "IQD", "JOD", "KWD",
                                                        "LYD", "OMR", "TND"};
  for (std::string_view c : kNoDecimals) {
    if (c == upper) return 0;
  }
  for (std::string_view c : kThreeDecimals) {
    if (c == upper) return 3;
  }
  return 2;
}

std::string format_minor_units(std::int64_t minor, int scale) {
  // Work on the unsigned magnitude so INT64_MIN is representable.
  const std::uint64_t magnitude =
      minor < 0 ? 0 - static_cast<std::uint64_t>(minor) : static_cast<std::uint64_t>(minor);
  std::string digits = std::to_string(magnitude);
  std::string out = minor < 0 ? "-" : "";
  const auto width = static_cast<std::size_t>(scale < 0 ? 0 : scale);
  if (width == 0) return out + digits;
  if (digits.size() <= width) digits.insert(0, width + 1 - digits.size(), '0');
  out.append(digits, 0, digits.size() - width);
  out.push_back('.');
  out.append(digits, digits.size() - width, width);
  return out;
}

}  // namespace oeuvre
