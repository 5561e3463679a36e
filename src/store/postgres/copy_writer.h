#pragma once
// COPY ... FROM STDIN as a BulkWriter: the PostgreSQL backend's bulk load. Internal to
// store/postgres/.

#include <libpq-fe.h>

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/database.h"

namespace oeuvre::store::pg {

// Starts COPY `table` (`columns`) FROM STDIN on `conn` and returns the writer that feeds it. The
// binary format is used when every column's type (looked up in `types`, column name -> type oid)
// has an encoding here (text, varchar, json, jsonb, uuid, int2/4/8, float8, bool, date, timestamptz);
// otherwise the text format, and the server parses each value. In binary format a value must fit
// its column: an integer, a bool or decimal text for integer columns, text for uuid and timestamptz
// columns (format_timestamp's form), a date or 'YYYY-MM-DD' text for date columns; anything else is
// kBadRequest at add(), with the row not sent.
// REQUIRES: `table` and `columns` are valid identifiers (check_bulk_rows); `conn` is idle. The
// writer borrows `conn` until finish() or its destruction (which abandons the COPY).
Result<std::unique_ptr<BulkWriter>> start_copy(
    PGconn* conn, std::string_view table, std::span<const std::string> columns,
    const std::unordered_map<std::string, unsigned>& types);

}  // namespace oeuvre::store::pg
