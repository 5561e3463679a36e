#pragma once
// Redis access for the L2 cache, through hiredis's blocking API: a pooled client for GET, SET, DEL
// and PUBLISH, and a subscriber thread for one pub/sub channel (the invalidations L1 caches listen
// to). Plain TCP only (redis://): no TLS.
//
// A cache must never hold up or fail a request, so every failure (no connection, a timeout, an
// error reply) comes back as a kUnavailable error within the options' timeouts:
// - Each call waits at most command_timeout for a free connection of the pool, connect_timeout to
//   open a new one, and command_timeout for each reply. A connection that failed in any way is
//   closed, never reused, and the idle ones are closed with it (they most likely point at the same
//   dead server), so the next call connects afresh.
// - A circuit breaker: after failures_to_open consecutive failures the client stops calling Redis
//   and fails every call at once for open_for; then it lets one caller at a time through as a
//   trial. A successful trial closes the breaker, a failed one opens it for open_for again. So a
//   Redis that comes back is used again without anyone reconnecting by hand.
// - Failures are counted (stats()) and logged as "outgoing call failed" warnings
//   (obs::log_outgoing_error, service "redis") at most once per warn_interval, each warning saying
//   how many failures went unlogged since the previous one. Neither values nor the password are
//   ever logged or put into an error message.
// Writing to a connection the server closed must fail the call, not kill the process: the first
// connection made ignores SIGPIPE process-wide (unless the program installed a handler for it).
//
// Thread-safety: RedisClient is safe for concurrent use; RedisSubscriber's subscribed() may be
// called from any thread. parse_redis_url is a pure function.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.h"

namespace oeuvre::cache {

// Where a Redis server is and how to log in to it.
struct RedisEndpoint {
  std::string host;  // a name, an IPv4 or an IPv6 address (without brackets)
  int port = 6379;
  std::string username;  // "" logs in as the default user (AUTH password)
  std::string password;  // "" sends no AUTH
  int database = 0;      // SELECTed when not 0
};

// Parses redis://[[username]:password@]host[:port][/db]: the scheme is case-insensitive, the user
// name and password are percent-decoded, an IPv6 host is written in brackets (redis://[::1]:6379),
// the port defaults to 6379 and the database to 0. rediss:// (TLS) and every other scheme, query
// parameters and user info without a ':' are refused with kValidation (field "REDIS_URL"); the
// message never contains the password.
Result<RedisEndpoint> parse_redis_url(std::string_view url);

struct RedisOptions {
  RedisEndpoint endpoint;
  std::chrono::milliseconds connect_timeout{200};
  std::chrono::milliseconds command_timeout{100};  // per reply, and to wait for a pooled connection
  std::size_t max_connections = 8;                 // at least 1
  int failures_to_open = 3;                        // consecutive failures that open the breaker
  std::chrono::milliseconds open_for{5000};        // how long an open breaker refuses calls
  std::chrono::milliseconds warn_interval{30000};  // at most one warning per interval
};

// Counters since construction, and the breaker's state now.
struct RedisClientStats {
  // Failed calls, those the open breaker refused included.
  std::uint64_t errors = 0;
  // Times the breaker opened, again after a failed trial included.
  std::uint64_t breaker_opens = 0;
  // Open or half-open: calls are refused, or only a trial goes through.
  bool breaker_open = false;
};

// A pool of at most max_connections connections, opened when first needed (with AUTH and SELECT
// when the endpoint asks for them). Every method fails with kUnavailable when the call could not be
// made or Redis answered with an error (see the top of this file). Safe for concurrent use.
// REQUIRES: no call is in progress when the client is destroyed.
class RedisClient {
 public:
  explicit RedisClient(RedisOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // The value of `key`, nullopt when there is none. Keys and values are bytes (NULs allowed).
  Result<std::optional<std::string>> get(std::string_view key);
  // Stores `value` under `key` for `ttl` (SET key value PX ttl). REQUIRES: ttl >= 1 ms.
  Status set(std::string_view key, std::string_view value, std::chrono::milliseconds ttl);
  // Deletes `keys` in one DEL (missing keys are no error). No call at all for none. Like publish,
  // it is tried even while the breaker is open: an invalidation is rare and must reach Redis as soon
  // as it answers again (its success closes the breaker).
  Status del(const std::vector<std::string>& keys);
  // Publishes `message` on `channel` (whether anyone listens or not); past the breaker, like del.
  Status publish(std::string_view channel, std::string_view message);

  RedisClientStats stats() const;

 private:
  struct State;
  class Reply;
  // Runs the command `args` (its name first) on a pooled connection, through the breaker (or, with
  // `past_breaker`, whatever its state; the outcome still counts).
  Result<Reply> execute(std::span<const std::string_view> args, bool past_breaker = false);

  std::unique_ptr<State> state_;
};

// Listens to one channel on a connection of its own, on a thread of its own, for its whole life:
// it connects (AUTH when the endpoint has a password), subscribes, calls on_subscribed once Redis
// confirmed the subscription and on_message for every message. When the connection cannot be made,
// the subscription is not confirmed within command_timeout, or the connection is lost, it calls
// on_lost (once per loss, only if it was subscribed) and tries again after 100 ms, doubling up to
// 2 s; a successful subscription starts the delays over. A listener that
// was lost may have missed messages: on_lost is where it forgets what they could have changed.
// Failures are logged as RedisClient's are (rate limited).
//
// The callbacks run on the subscriber's thread, one at a time, and must not throw or destroy the
// subscriber. The thread never waits more than ~100 ms at a time between checks of the stop flag
// (at most connect_timeout or command_timeout while connecting), so the destructor, which stops
// and joins it, returns promptly. A connection that dies silently (no FIN, no RST) is noticed by
// TCP keepalive only.
class RedisSubscriber {
 public:
  RedisSubscriber(RedisOptions options, std::string channel,
                  std::function<void(std::string_view message)> on_message,
                  std::function<void()> on_subscribed, std::function<void()> on_lost);
  ~RedisSubscriber();
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;

  // True while the subscription is confirmed and its connection alive. Safe from any thread.
  bool subscribed() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::thread thread_;
};

}  // namespace oeuvre::cache
