#pragma once
// Money is int64_t minor units with its currency (ISO 4217 code); these say how many of the digits
// are after the decimal point and write an amount as text.
// Thread-safety: pure functions, safe for concurrent use.

#include <cstdint>
#include <string>
#include <string_view>

namespace oeuvre {

// Minor-unit digits of an ISO 4217 currency (either case): 0 (JPY, KRW, ...), 3 (BHD, JOD, KWD,
// OMR, TND, ...), else 2 (also for "" and unknown codes).
int currency_scale(std::string_view currency);

// `minor` as a decimal with `scale` digits after the point: (-1230, 2) -> "-12.30"; a negative
// scale counts as 0. INT64_MIN is written exactly.
std::string format_minor_units(std::int64_t minor, int scale);

}  // namespace oeuvre
