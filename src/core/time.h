#pragma once
// Timestamps: UTC instants with microsecond precision (PostgreSQL's timestamptz precision), and
// their one text form. No locale, no TZ environment variable and no time zone database is
// consulted. Thread-safety: pure functions (now_utc reads the system clock), safe for concurrent
// use.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace oeuvre {

// Microseconds since the Unix epoch (1970-01-01T00:00:00Z), leap seconds not counted.
using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// The current time, truncated to whole microseconds.
Timestamp now_utc();

// RFC 3339 / ISO 8601 UTC text with exactly six fractional digits, e.g.
// "2026-11-28T23:45:50.123456Z". Fixed width (27 characters), so comparing two texts byte-wise
// orders them as the instants they name. Instants before 0000-01-01T00:00:00Z or after
// 9999-12-31T23:59:59.999999Z are clamped to those bounds (a four-digit year is what keeps the text
// fixed width); parse_timestamp never yields such instants from UTC text.
std::string format_timestamp(Timestamp t);
// The same text written into `out` (exactly kTimestampChars bytes, no terminator): for a caller that
// writes many (every log line), without a string of its own each time.
inline constexpr std::size_t kTimestampChars = 27;
void write_timestamp(Timestamp t, char* out);

// Parses
//   YYYY-MM-DD{T| }HH:MM:SS[.f]{Z | ±HH | ±HH:MM}
// where .f has 1 to 6 digits (fewer than 6 are scaled: ".5" is 500000 us). This accepts the output
// of format_timestamp and PostgreSQL's timestamptz text ("2026-11-28 23:45:50.123456+00",
// "2026-11-28 23:45:50+00", "...+05:30"). A non-zero offset is subtracted to give UTC.
// Rejects (nullopt) anything else: a missing zone, impossible dates (2026-02-29), hour 24, leap
// second 60, more than 6 fractional digits, offsets beyond ±15:59, surrounding whitespace, "BC" or
// 5-digit years, lower-case 't'/'z'.
std::optional<Timestamp> parse_timestamp(std::string_view text);

// Parses exactly "YYYY-MM-DD", a real calendar date (2026-02-29 is rejected): the one text form of
// the stores' date columns and of core format_iso_date. Nullopt for anything else.
std::optional<std::chrono::sys_days> parse_date(std::string_view text);

// The date as "YYYY-MM-DD", the form parse_date reads. Dates before 0000-01-01 or after 9999-12-31
// are clamped to those bounds (as format_timestamp does).
std::string format_date(std::chrono::sys_days day);

}  // namespace oeuvre
