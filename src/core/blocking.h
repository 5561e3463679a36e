#pragma once
// Work that may not wait. The HTTP server first tries a cache-backed read on its I/O thread, where
// nothing may wait for a database, Redis or a lock held across I/O; the attempt runs inside a
// NonBlockingScope. Whatever would wait (a cache miss, borrowing a database connection, a Redis
// command) calls require_may_block() first, which inside the scope throws WouldBlock; the server
// catches it and answers the request on a worker thread instead, from the start. So an attempt
// must not change anything before its first require_may_block(): only read routes are tried.
// Thread-safety: the scope is per thread.

namespace oeuvre {

// Thrown by require_may_block() inside a NonBlockingScope. Deliberately not a std::exception, so
// no handler's `catch (const std::exception&)` takes it for a failure; a `catch (...)` on the way
// must rethrow it.
struct WouldBlock {};

namespace detail {
inline thread_local int non_blocking_depth = 0;
}  // namespace detail

class NonBlockingScope {
 public:
  NonBlockingScope() { ++detail::non_blocking_depth; }
  ~NonBlockingScope() { --detail::non_blocking_depth; }
  NonBlockingScope(const NonBlockingScope&) = delete;
  NonBlockingScope& operator=(const NonBlockingScope&) = delete;
};

// True inside a NonBlockingScope on this thread.
inline bool blocking_forbidden() { return detail::non_blocking_depth > 0; }

// Throws WouldBlock inside a NonBlockingScope; nothing otherwise.
inline void require_may_block() {
  if (blocking_forbidden()) throw WouldBlock{};
}

}  // namespace oeuvre
