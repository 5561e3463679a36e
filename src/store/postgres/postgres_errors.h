#pragma once
// How the PostgreSQL backend reads libpq's results: a failed command becomes an Error (see
// PostgresConnection for the mapping), and a session is brought back to idle after a command it
// will not finish. Internal to store/postgres/.

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace oeuvre::store::pg {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// The first line of a libpq message (messages end with a newline and may carry a "hint" line);
// "unknown error" when empty.
std::string first_line(const char* text);

// The store fault a SQLSTATE names, by its class where the class decides: 57014 (statement timeout
// or cancel), 55P03 (lock not available) and 53300 (too many connections) kBusy; class 08
// (connection) and 57P01-57P03 (shutting down, crashed, starting) kUnreachable; the rest of class 53
// (disk full, out of memory, a resource limit) kOutOfSpace; class 58 (I/O, system errors, missing
// files) kIoError; XX001/XX002 (data or index corrupted) kCorrupt; 25006 (read-only transaction, a
// standby) kReadOnly; kNone for the others (constraints, data, syntax, serialization).
StoreFault sqlstate_fault(std::string_view sqlstate);

// Maps a failed command (res may be null when libpq could not even send it) to an Error: the
// classes PostgresConnection documents, with the password never named and data-exception
// messages, which quote the rejected input, redacted.
Error pg_error(PGconn* conn, const PGresult* res);

// Reads and discards whatever results remain, leaving any COPY state, so the session can take the
// next command. Bounded: a broken connection yields one error result, then null.
void drain(PGconn* conn);

// Checks a command's result: ok for a command, rows or an empty query; otherwise the error, leaving
// the session ready for the next command (a COPY started by query() is refused and ended).
Status check(PGconn* conn, const PgResult& res);

}  // namespace oeuvre::store::pg
