#include "engine/record_table.h"

#include <cstdio>

namespace oeuvre::engine {

// Howard Hinnant's civil-date algorithms (public domain).
std::int32_t days_from_civil(int year, int month, int day) {
  year -= month <= 2;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const unsigned year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year =
      static_cast<unsigned>((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1);
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int>(day_of_era) - 719468;
}

void civil_from_days(std::int32_t days, int& year, int& month, int& day) {
  const std::int64_t z = static_cast<std::int64_t>(days) + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(z - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned mp = (5 * day_of_year + 2) / 153;
  day = static_cast<int>(day_of_year - (153 * mp + 2) / 5 + 1);
  month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  year = static_cast<int>(static_cast<std::int64_t>(year_of_era) + era * 400 + (month <= 2));
}

std::string format_iso_date(std::int32_t days) {
  if (days == kNoDate) return "";
  int year, month, day;
  civil_from_days(days, year, month, day);
  if (year < 0 || year > 9999) {
    char text[48];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d", year, month, day);
    return text;
  }
  std::string text = "0000-00-00";
  for (int k = 3; k >= 0; --k, year /= 10)
    text[static_cast<std::size_t>(k)] = static_cast<char>('0' + year % 10);
  text[5] = static_cast<char>('0' + month / 10);
  text[6] = static_cast<char>('0' + month % 10);
  text[8] = static_cast<char>('0' + day / 10);
  text[9] = static_cast<char>('0' + day % 10);
  return text;
}

bool is_standard_field(std::string_view name) {
  static constexpr std::string_view kStandard[] = {"id",        "date",        "amount",      "currency",
                                                   "reference", "description", "counterparty"};
  for (std::string_view standard : kStandard) {
    if (name.size() != standard.size()) continue;
    bool equal = true;
    for (std::size_t i = 0; i < name.size() && equal; ++i) {
      const char c = name[i];
      equal = (c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) == standard[i];
    }
    if (equal) return true;
  }
  return false;
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
