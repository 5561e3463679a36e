#pragma once
// How store::Value travels to PostgreSQL as text: bound parameters and COPY's text format. Internal
// to store/postgres/.

#include <string>

#include "store/database.h"

namespace oeuvre::store::pg {

// The text form of a non-null value as PostgreSQL's input functions read it: integers and doubles
// as decimal text (doubles round-trip exactly; NaN and the infinities by name), bool as
// "true"/"false", a date as "YYYY-MM-DD" (REQUIRES: check_dates passed), text as is. std::monostate
// gives "" (callers send NULL instead).
std::string value_text(const Value& value);

// True for a text value holding a NUL byte, which PostgreSQL cannot store.
bool has_nul(const Value& value);

}  // namespace oeuvre::store::pg
