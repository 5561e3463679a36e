#pragma once
// MeasuredConnection: a Connection that times every statement of the one it wraps into
// oeuvre_db_query_duration_seconds{kind}, kind by the statement's first keyword (statement_kind), so
// the label has a fixed set of values whatever the SQL. open_database wraps each pooled session in
// one when DatabaseOptions::metrics is set. Not safe for concurrent use (as any Connection).

#include <memory>
#include <string_view>

#include "store/database.h"

namespace oeuvre::store {

// The kind of a statement, one of obs::Metrics::kStatementKinds: select, insert, update or delete by
// its first keyword (case-insensitive, after blanks and opening parentheses), transaction for
// BEGIN/COMMIT/ROLLBACK/SAVEPOINT/RELEASE, other for anything else (WITH, EXPLAIN, SET, ...).
std::string_view statement_kind(std::string_view sql);

// REQUIRES: `metrics` outlives the returned connection.
std::unique_ptr<Connection> measure_connection(std::unique_ptr<Connection> inner, obs::Metrics& metrics);

}  // namespace oeuvre::store
