// RedisClient and RedisSubscriber (redis_client.h). One file of a little over 600 lines on purpose:
// both are built on the same private pieces (connecting with a deadline, AUTH and SELECT, reading a
// reply with a timeout, the rate-limited warning), which would otherwise need a shared internal
// header of their own.
#include "cache/redis_client.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <boost/url/parse.hpp>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "core/blocking.h"
#include "core/utf8.h"
#include "observability/log.h"

namespace oeuvre::cache {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::string_view kUrlField = "REDIS_URL";
constexpr std::string_view kUrlForm = "redis://[[username]:password@]host[:port][/db]";
constexpr std::chrono::milliseconds kFirstRetryDelay = 100ms;
constexpr std::chrono::milliseconds kLastRetryDelay = 2s;
constexpr std::chrono::milliseconds kStopCheckInterval = 100ms;

// Messages name no part of the URL but its scheme: whatever else was written may be the password.
Error url_error(const std::string& message) {
  return Error(ErrorCode::kValidation, std::string(kUrlField) + ": " + message,
               {FieldError{std::string(kUrlField), message}});
}

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_scheme(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == '.';
  });
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

struct ContextFree {
  void operator()(redisContext* context) const { redisFree(context); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextFree>;

struct ReplyFree {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyFree>;

timeval to_timeval(std::chrono::milliseconds duration) {
  const auto ms = std::max<std::int64_t>(duration.count(), 1);
  return timeval{.tv_sec = static_cast<time_t>(ms / 1000),
                 .tv_usec = static_cast<suseconds_t>(ms % 1000 * 1000)};
}

std::string describe(const RedisEndpoint& endpoint) {
  const bool ipv6 = endpoint.host.find(':') != std::string::npos;
  return (ipv6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + std::to_string(endpoint.port);
}

// A write to a connection the server closed raises SIGPIPE, which would end the process: ignore it,
// unless the program installed a handler of its own.
void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
      ::signal(SIGPIPE, SIG_IGN);
    }
  });
}

// What went wrong with `context` (its err is set): a timeout said as one, else hiredis's words.
std::string context_failure(const redisContext& context, int saved_errno,
                            std::chrono::milliseconds timeout) {
  if (context.err == REDIS_ERR_IO && (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)) {
    return "no reply within " + std::to_string(timeout.count()) + " ms";
  }
  return context.errstr[0] != '\0' ? std::string(context.errstr) : "the connection failed";
}

// Sends the command `args` (its name first) and waits at most `timeout` (the context's socket
// timeout) for its reply. An error reply is an error; the context's err is set when the connection
// can no longer be used.
Result<ReplyPtr> run_command(redisContext& context, std::span<const std::string_view> args,
                             std::chrono::milliseconds timeout) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (const std::string_view arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  errno = 0;
  void* raw =
      redisCommandArgv(&context, static_cast<int>(args.size()), argv.data(), lengths.data());
  const int saved_errno = errno;
  if (raw == nullptr) return Error::Unavailable(context_failure(context, saved_errno, timeout));
  ReplyPtr reply(static_cast<redisReply*>(raw));
  if (reply->type == REDIS_REPLY_ERROR) {
    return Error::Unavailable("Redis answered " + std::string(reply->str, reply->len));
  }
  return reply;
}

// A new connection to `options.endpoint` with the command timeout set, logged in (AUTH) and, when
// `select_database`, on the endpoint's database.
Result<ContextPtr> connect(const RedisOptions& options, bool select_database) {
  ignore_sigpipe_once();
  const RedisEndpoint& endpoint = options.endpoint;
  const std::string where = describe(endpoint);
  ContextPtr context(redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port,
                                             to_timeval(options.connect_timeout)));
  if (context == nullptr) {
    return Error::Unavailable("cannot connect to " + where + ": out of memory");
  }
  if (context->err != 0) {
    return Error::Unavailable("cannot connect to " + where + ": " + context->errstr);
  }
  if (redisSetTimeout(context.get(), to_timeval(options.command_timeout)) != REDIS_OK) {
    return Error::Unavailable("cannot set the timeouts of the connection to " + where);
  }
  if (!endpoint.password.empty()) {
    std::vector<std::string_view> auth{"AUTH"};
    if (!endpoint.username.empty()) auth.push_back(endpoint.username);
    auth.push_back(endpoint.password);
    const Result<ReplyPtr> reply = run_command(*context, auth, options.command_timeout);
    if (!reply.ok()) return reply.error().in_context("cannot log in to " + where + ": ");
  }
  if (select_database && endpoint.database != 0) {
    const std::string database = std::to_string(endpoint.database);
    const std::string_view select[] = {"SELECT", database};
    const Result<ReplyPtr> reply = run_command(*context, select, options.command_timeout);
    if (!reply.ok()) {
      return reply.error().in_context("cannot select database " + database + " on " + where + ": ");
    }
  }
  return context;
}

// Logs failures as warnings at most once per interval, each saying how many went unlogged since
// the previous one. Safe for concurrent use.
class FailureWarnings {
 public:
  explicit FailureWarnings(std::chrono::milliseconds interval) : interval_(interval) {}

  // Counts a failure of `operation` (a Redis command); logs it unless one was logged recently.
  // REQUIRES: `what` holds no value and no password.
  void report(std::string_view operation, std::string_view what) {
    std::uint64_t suppressed = 0;
    {
      std::lock_guard lock(mu_);
      const Clock::time_point now = Clock::now();
      if (last_warning_ && now - *last_warning_ < interval_) {
        ++unlogged_;
        return;
      }
      last_warning_ = now;
      suppressed = std::exchange(unlogged_, 0);
    }
    obs::log_outgoing_error("redis", operation, what, {{"suppressed", suppressed}});
  }

 private:
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::optional<Clock::time_point> last_warning_;  // guarded by mu_
  std::uint64_t unlogged_ = 0;                     // guarded by mu_
};

// Closed: calls go through. Open: calls are refused until open_until, then one at a time is let
// through as a trial (half-open), whose outcome closes or opens the breaker again. Safe for
// concurrent use.
class CircuitBreaker {
 public:
  enum class Admission { kRefused, kAdmitted, kTrial };

  CircuitBreaker(int failures_to_open, std::chrono::milliseconds open_for)
      : failures_to_open_(std::max(failures_to_open, 1)), open_for_(open_for) {}

  Admission admit() {
    std::lock_guard lock(mu_);
    if (!open_) return Admission::kAdmitted;
    if (trial_in_flight_ || Clock::now() < open_until_) return Admission::kRefused;
    trial_in_flight_ = true;
    return Admission::kTrial;
  }

  // The outcome of a call admit() let through. Any success closes the breaker; a failed trial, or
  // the failures_to_open-th consecutive failure, opens it.
  void record(Admission admission, bool success) {
    std::lock_guard lock(mu_);
    if (admission == Admission::kTrial) trial_in_flight_ = false;
    if (success) {
      consecutive_failures_ = 0;
      open_ = false;
      return;
    }
    ++consecutive_failures_;
    if (admission == Admission::kTrial || (!open_ && consecutive_failures_ >= failures_to_open_)) {
      open_ = true;
      open_until_ = Clock::now() + open_for_;
      ++opens_;
    }
  }

  bool open() const {
    std::lock_guard lock(mu_);
    return open_;
  }
  std::uint64_t opens() const {
    std::lock_guard lock(mu_);
    return opens_;
  }

 private:
  const int failures_to_open_;
  const std::chrono::milliseconds open_for_;
  mutable std::mutex mu_;
  // Guarded by mu_.
  bool open_ = false;
  bool trial_in_flight_ = false;
  int consecutive_failures_ = 0;
  Clock::time_point open_until_;
  std::uint64_t opens_ = 0;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// parse_redis_url

Result<RedisEndpoint> parse_redis_url(std::string_view url) {
  url = trim(url);
  if (url.empty()) return url_error("is empty; expected " + std::string(kUrlForm));
  const auto scheme_end = url.find("://");
  const std::string scheme =
      scheme_end == std::string_view::npos ? "" : ascii_lowercase(url.substr(0, scheme_end));
  const bool scheme_shown = is_scheme(scheme);
  if (scheme == "rediss") {
    return url_error("rediss:// (Redis over TLS) is not supported; expected " +
                     std::string(kUrlForm));
  }
  if (scheme != "redis") {
    return url_error((scheme_shown ? "unsupported scheme \"" + scheme + "\"; " : "") + "expected " +
                     std::string(kUrlForm));
  }
  const auto parsed = boost::urls::parse_uri(boost::urls::string_view(url.data(), url.size()));
  if (!parsed) return url_error("is not a valid URL; expected " + std::string(kUrlForm));
  const boost::urls::url_view& u = *parsed;
  if (u.has_query() || u.has_fragment()) {
    return url_error("query parameters and fragments are not supported; expected " +
                     std::string(kUrlForm));
  }

  RedisEndpoint endpoint;
  switch (u.host_type()) {
    case boost::urls::host_type::name:
      endpoint.host = u.host_name();
      break;
    case boost::urls::host_type::ipv4:
      endpoint.host = u.host_ipv4_address().to_string();
      break;
    case boost::urls::host_type::ipv6:
      endpoint.host = u.host_ipv6_address().to_string();
      break;
    default:
      break;
  }
  if (endpoint.host.empty()) return url_error("names no host; expected " + std::string(kUrlForm));
  if (u.has_port()) {
    if (!all_digits(u.port()) || u.port_number() == 0) {
      return url_error("the port must be a number from 1 to 65535");
    }
    endpoint.port = u.port_number();
  }
  if (u.has_userinfo()) {
    if (!u.has_password()) {
      return url_error(
          "the part before '@' must be [username]:password (redis://:PASSWORD@host for a password "
          "alone)");
    }
    endpoint.username = u.user();
    endpoint.password = u.password();
  }
  const std::string path = u.path();  // "" or "/..." after an authority
  if (path.size() > 1) {
    const std::string_view database = std::string_view(path).substr(1);
    if (!all_digits(database) || database.size() > 9) {
      return url_error("the database (after the host) must be a number such as /0");
    }
    endpoint.database = std::stoi(std::string(database));
  }
  return endpoint;
}

// ---------------------------------------------------------------------------------------------
// RedisClient

class RedisClient::Reply {
 public:
  explicit Reply(ReplyPtr reply) : reply_(std::move(reply)) {}
  const redisReply* operator->() const { return reply_.get(); }

 private:
  ReplyPtr reply_;
};

struct RedisClient::State {
  explicit State(RedisOptions o)
      : options(std::move(o)),
        breaker(options.failures_to_open, options.open_for),
        warnings(options.warn_interval) {
    options.max_connections = std::max<std::size_t>(options.max_connections, 1);
  }

  ~State() {
    for (redisContext* context : idle) redisFree(context);
  }

  // A connection of the pool, or a new one when none is idle and fewer than max_connections are
  // open; waits at most command_timeout for one to be released.
  Result<ContextPtr> acquire() {
    std::unique_lock lock(mu);
    const bool available = released.wait_for(lock, options.command_timeout, [&] {
      return !idle.empty() || open < options.max_connections;
    });
    if (!available) {
      return Error::Unavailable("no connection was free within " +
                                std::to_string(options.command_timeout.count()) + " ms (all " +
                                std::to_string(options.max_connections) + " in use)");
    }
    if (!idle.empty()) {
      ContextPtr context(idle.back());
      idle.pop_back();
      return context;
    }
    ++open;
    lock.unlock();
    Result<ContextPtr> made = connect(options, /*select_database=*/true);
    if (!made.ok()) {
      lock.lock();
      --open;
      lock.unlock();
      released.notify_one();
    }
    return made;
  }

  // Returns `context` to the pool, or closes it when it failed, and with it the idle ones.
  void release(ContextPtr context) {
    std::vector<ContextPtr> closing;
    {
      std::lock_guard lock(mu);
      if (context->err == 0) {
        idle.push_back(context.release());
      } else {
        closing.push_back(std::move(context));
        for (redisContext* stale : idle) closing.emplace_back(stale);
        idle.clear();
        open -= closing.size();
      }
    }
    if (closing.size() > 1) {
      released.notify_all();
    } else {
      released.notify_one();
    }
  }

  // The failure of `command` as the caller sees it: counted, logged (rate limited), returned.
  Error fail(std::string_view command, std::string_view what) {
    errors.fetch_add(1, std::memory_order_relaxed);
    warnings.report(command, what);
    return Error::Unavailable("redis " + std::string(command) + ": " + std::string(what));
  }

  RedisOptions options;
  CircuitBreaker breaker;
  FailureWarnings warnings;
  std::atomic<std::uint64_t> errors{0};

  std::mutex mu;
  std::condition_variable released;  // a connection was returned or closed
  std::vector<redisContext*> idle;   // guarded by mu: owned, most recently used last
  std::size_t open = 0;              // guarded by mu: idle + in use + being opened
};

RedisClient::RedisClient(RedisOptions options)
    : state_(std::make_unique<State>(std::move(options))) {}

RedisClient::~RedisClient() = default;

Result<RedisClient::Reply> RedisClient::execute(std::span<const std::string_view> args,
                                                bool past_breaker) {
  require_may_block();
  State& s = *state_;
  const std::string_view command = args.front();
  const CircuitBreaker::Admission admission =
      past_breaker ? CircuitBreaker::Admission::kAdmitted : s.breaker.admit();
  if (admission == CircuitBreaker::Admission::kRefused) {
    return s.fail(command, "not attempted: the circuit breaker is open after repeated failures");
  }
  Result<ReplyPtr> reply = [&]() -> Result<ReplyPtr> {
    ASSIGN_OR_RETURN(ContextPtr context, s.acquire());
    Result<ReplyPtr> answer = run_command(*context, args, s.options.command_timeout);
    s.release(std::move(context));
    return answer;
  }();
  s.breaker.record(admission, reply.ok());
  if (!reply.ok()) return s.fail(command, reply.error().message());
  return Reply(std::move(reply).value());
}

Result<std::optional<std::string>> RedisClient::get(std::string_view key) {
  const std::string_view args[] = {"GET", key};
  ASSIGN_OR_RETURN(const Reply reply, execute(args));
  if (reply->type == REDIS_REPLY_NIL) return std::optional<std::string>();
  if (reply->type != REDIS_REPLY_STRING) {
    return state_->fail("GET", "unexpected reply type " + std::to_string(reply->type));
  }
  return std::optional<std::string>(std::in_place, reply->str, reply->len);
}

Status RedisClient::set(std::string_view key, std::string_view value,
                        std::chrono::milliseconds ttl) {
  const std::string ttl_ms = std::to_string(std::max<std::int64_t>(ttl.count(), 1));
  const std::string_view args[] = {"SET", key, value, "PX", ttl_ms};
  RETURN_IF_ERROR(execute(args));
  return OkStatus();
}

Status RedisClient::del(const std::vector<std::string>& keys) {
  if (keys.empty()) return OkStatus();
  std::vector<std::string_view> args{"DEL"};
  args.insert(args.end(), keys.begin(), keys.end());
  RETURN_IF_ERROR(execute(args, /*past_breaker=*/true));
  return OkStatus();
}

Status RedisClient::publish(std::string_view channel, std::string_view message) {
  const std::string_view args[] = {"PUBLISH", channel, message};
  RETURN_IF_ERROR(execute(args, /*past_breaker=*/true));
  return OkStatus();
}

RedisClientStats RedisClient::stats() const {
  return RedisClientStats{.errors = state_->errors.load(std::memory_order_relaxed),
                          .breaker_opens = state_->breaker.opens(),
                          .breaker_open = state_->breaker.open()};
}

// ---------------------------------------------------------------------------------------------
// RedisSubscriber

struct RedisSubscriber::State {
  State(RedisOptions o, std::string c, std::function<void(std::string_view)> message,
        std::function<void()> subscribed_callback, std::function<void()> lost)
      : options(std::move(o)),
        channel(std::move(c)),
        on_message(std::move(message)),
        on_subscribed(std::move(subscribed_callback)),
        on_lost(std::move(lost)),
        warnings(options.warn_interval) {}

  // Connects, subscribes and listens until stopped, reconnecting with backoff.
  void run() {
    std::chrono::milliseconds delay = kFirstRetryDelay;
    while (!stopping.load()) {
      bool confirmed = false;
      const Status ended = listen(confirmed);
      if (ended.ok() || stopping.load()) break;
      if (confirmed) {
        subscribed.store(false);
        if (on_lost) on_lost();
        delay = kFirstRetryDelay;
      }
      warnings.report("SUBSCRIBE", ended.error().message());
      if (!pause(delay)) break;
      delay = std::min(delay * 2, kLastRetryDelay);
    }
    subscribed.store(false);
  }

  // One connection's life: connect, subscribe, read until it fails (the error) or the subscriber
  // stops (OK). `confirmed` is set once Redis confirmed the subscription.
  Status listen(bool& confirmed) {
    // Channels are not per database: no SELECT.
    ASSIGN_OR_RETURN(ContextPtr context, connect(options, /*select_database=*/false));
    redisEnableKeepAlive(context.get());
    const std::string_view args[] = {"SUBSCRIBE", channel};
    const char* argv[] = {args[0].data(), args[1].data()};
    const std::size_t lengths[] = {args[0].size(), args[1].size()};
    if (redisAppendCommandArgv(context.get(), 2, argv, lengths) != REDIS_OK) {
      return Error::Unavailable(context_failure(*context, errno, options.command_timeout));
    }
    for (int done = 0; !done;) {
      errno = 0;
      if (redisBufferWrite(context.get(), &done) != REDIS_OK) {
        return Error::Unavailable(context_failure(*context, errno, options.command_timeout));
      }
    }
    // Redis confirms at once; a server that does not (frozen, overloaded) is tried again later.
    const Clock::time_point confirm_by = Clock::now() + options.command_timeout;
    while (!stopping.load()) {
      std::chrono::milliseconds wait = kStopCheckInterval;
      if (!confirmed) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(confirm_by - Clock::now());
        if (left <= 0ms) {
          return Error::Unavailable("the subscription was not confirmed within " +
                                    std::to_string(options.command_timeout.count()) + " ms");
        }
        wait = std::min(wait, left);
      }
      pollfd readable{.fd = context->fd, .events = POLLIN, .revents = 0};
      const int ready = ::poll(&readable, 1, static_cast<int>(wait.count()));
      if (ready < 0 && errno != EINTR) {
        return Error::Unavailable("poll failed: " + std::string(std::strerror(errno)));
      }
      if (ready <= 0) continue;
      errno = 0;
      if (redisBufferRead(context.get()) != REDIS_OK) {
        return Error::Unavailable(context_failure(*context, errno, options.command_timeout));
      }
      for (;;) {
        void* raw = nullptr;
        if (redisGetReplyFromReader(context.get(), &raw) != REDIS_OK) {
          return Error::Unavailable(context_failure(*context, 0, options.command_timeout));
        }
        if (raw == nullptr) break;
        const ReplyPtr reply(static_cast<redisReply*>(raw));
        RETURN_IF_ERROR(handle(*reply, confirmed));
      }
    }
    return OkStatus();
  }

  // A pushed reply: the subscription's confirmation, a message, or an error.
  Status handle(const redisReply& reply, bool& confirmed) {
    if (reply.type == REDIS_REPLY_ERROR) {
      return Error::Unavailable("Redis answered " + std::string(reply.str, reply.len));
    }
    if (reply.type != REDIS_REPLY_ARRAY || reply.elements < 3 ||
        reply.element[0]->type != REDIS_REPLY_STRING) {
      return OkStatus();
    }
    const std::string_view kind(reply.element[0]->str, reply.element[0]->len);
    const redisReply& last = *reply.element[2];
    if (kind == "subscribe" && !confirmed) {
      confirmed = true;
      subscribed.store(true);
      if (on_subscribed) on_subscribed();
    } else if (kind == "message" && last.type == REDIS_REPLY_STRING) {
      if (on_message) on_message(std::string_view(last.str, last.len));
    }
    return OkStatus();
  }

  // Waits `delay`, or less when the subscriber stops; false when it stops.
  bool pause(std::chrono::milliseconds delay) {
    std::unique_lock lock(mu);
    return !wake.wait_for(lock, delay, [&] { return stopping.load(); });
  }

  void stop() {
    {
      std::lock_guard lock(mu);
      stopping.store(true);
    }
    wake.notify_all();
  }

  const RedisOptions options;
  const std::string channel;
  const std::function<void(std::string_view)> on_message;
  const std::function<void()> on_subscribed;
  const std::function<void()> on_lost;
  FailureWarnings warnings;
  std::atomic<bool> subscribed{false};
  std::atomic<bool> stopping{false};  // set under mu, so pause() cannot miss the wake-up
  std::mutex mu;
  std::condition_variable wake;
};

RedisSubscriber::RedisSubscriber(RedisOptions options, std::string channel,
                                 std::function<void(std::string_view message)> on_message,
                                 std::function<void()> on_subscribed, std::function<void()> on_lost)
    : state_(std::make_unique<State>(std::move(options), std::move(channel), std::move(on_message),
                                     std::move(on_subscribed), std::move(on_lost))),
      thread_([state = state_.get()] { state->run(); }) {}

RedisSubscriber::~RedisSubscriber() {
  state_->stop();
  thread_.join();
}

bool RedisSubscriber::subscribed() const { return state_->subscribed.load(); }

}  // namespace oeuvre::cache
