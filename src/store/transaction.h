#pragma once
// Helpers to run work on a pooled connection, optionally inside a transaction.

#include <exception>
#include <type_traits>
#include <utility>

#include "observability/request_phases.h"
#include "store/database.h"

namespace oeuvre::store {

// Both helpers charge their time (waiting for the connection included) to the request's store phase
// (observability/request_phases.h) when a request is bound to the thread.

// Runs fn(Connection&) on a connection from db; fn returns a Result or Status.
template <class F>
auto with_connection(Database& db, F&& fn) -> std::invoke_result_t<F, Connection&> {
  obs::PhaseScope phase(obs::Phase::kStore);
  auto conn = db.acquire();
  if (!conn.ok()) return std::move(conn).error();
  return std::forward<F>(fn)(**conn);
}

// Runs fn(c) inside one transaction on the connection c: commits when fn's result is ok, rolls back
// otherwise (and when fn throws, rethrowing). `write` takes the write lock up front on SQLite.
template <class F>
auto in_transaction_on(Connection& c, bool write, F&& fn) -> std::invoke_result_t<F, Connection&> {
  if (auto begun = c.begin(write); !begun.ok()) return std::move(begun).error();
  try {
    auto result = std::forward<F>(fn)(c);
    if (!result.ok()) {
      (void)c.rollback();
      return result;
    }
    if (auto committed = c.commit(); !committed.ok()) {
      (void)c.rollback();
      return std::move(committed).error();
    }
    return result;
  } catch (...) {
    (void)c.rollback();
    throw;
  }
}

// in_transaction_on, on a connection from db.
template <class F>
auto in_transaction(Database& db, bool write, F&& fn) -> std::invoke_result_t<F, Connection&> {
  obs::PhaseScope phase(obs::Phase::kStore);
  auto conn = db.acquire();
  if (!conn.ok()) return std::move(conn).error();
  return in_transaction_on(**conn, write, std::forward<F>(fn));
}

}  // namespace oeuvre::store
