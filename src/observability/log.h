#pragma once
// Structured logs: one JSON object per line on stderr, each carrying the context of the work the
// current thread is doing: the request id and trace id of the request it serves, or of the request
// that created the job or file a worker is on. Safe for concurrent use.

#include <boost/json.hpp>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace oeuvre::obs {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Sets the minimum level ("debug", "info", "warn", "error"; unknown names mean "info").
void init_logging(std::string_view level);

// Lines are written to stderr in batches: warnings and errors at once, info and debug lines within
// 100 ms, the rest at exit. This writes out what is waiting (before reading stderr, as tests do).
void flush_logs();

// What every log line of a piece of work carries. Views: what they point at must outlive every
// LogScope binding the context (the request's Exchange, the claimed job's row).
struct LogContext {
  std::string_view request_id;  // "" when none
  std::string_view trace_id;    // 32 lowercase hex, or ""
  std::string_view span_id;     // 16 lowercase hex (this server's span of a request), or ""
};

// An owned copy of a LogContext, for handing the context to another thread (a heartbeat, a pool).
struct OwnedLogContext {
  std::string request_id;
  std::string trace_id;
  std::string span_id;
  LogContext view() const { return {request_id, trace_id, span_id}; }
};

// Binds `context` to this thread for the scope's lifetime (restores the previous one after). No
// allocation: the context is referred to, not copied. REQUIRES: `context` and what it views outlive
// the scope.
class LogScope {
 public:
  explicit LogScope(const LogContext& context);
  ~LogScope();
  LogScope(const LogScope&) = delete;
  LogScope& operator=(const LogScope&) = delete;

 private:
  const LogContext* previous_;
};

// The context bound to this thread (all fields "" when none).
const LogContext& current_log_context();
// A copy of it, for another thread.
OwnedLogContext capture_log_context();
// The request id bound to this thread, or "".
inline std::string_view current_request_id() { return current_log_context().request_id; }

// True when a line of `level` would be written (LOG_LEVEL is at or below it).
bool log_enabled(LogLevel level);

// Writes {"ts","level","msg","request_id","trace_id","span_id",...fields} (the context's fields
// when set). Never pass secrets in fields.
void log(LogLevel level, std::string_view message, boost::json::object fields = {});
inline void log_info(std::string_view m, boost::json::object f = {}) {
  log(LogLevel::kInfo, m, std::move(f));
}
inline void log_warn(std::string_view m, boost::json::object f = {}) {
  log(LogLevel::kWarn, m, std::move(f));
}
inline void log_error(std::string_view m, boost::json::object f = {}) {
  log(LogLevel::kError, m, std::move(f));
}

// A log_line field's key. One written in the code (a string literal) is checked as the code
// compiles -- nothing in it may need a JSON escape -- and is then copied into each line as it is;
// any other text is escaped when it is written.
class LogKey {
 public:
  constexpr LogKey() = default;
  template <std::size_t N>
  consteval LogKey(const char (&literal)[N]) : text_(literal, N - 1), plain_(true) {
    for (const char c : text_) {
      if (static_cast<unsigned char>(c) < 0x20 || c == '"' || c == '\\') {
        throw "a log key written in the code must need no JSON escape";
      }
    }
  }
  LogKey(std::string_view text) : text_(text) {}
  LogKey(const std::string& text) : text_(text) {}

  std::string_view text() const { return text_; }
  // True for a key checked as the code compiled: it needs no escape.
  bool plain() const { return plain_; }

 private:
  std::string_view text_;
  bool plain_ = false;
};

// A field of a line written by log_line: a key and a string or an integer, held by view.
struct LogField {
  LogField() = default;
  LogField(LogKey key, std::string_view text) : key(key), text(text) {}
  LogField(LogKey key, const char* text) : key(key), text(text) {}
  LogField(LogKey key, std::integral auto number)
      : key(key), number(static_cast<std::int64_t>(number)), is_number(true) {}
  LogKey key;
  std::string_view text;
  std::int64_t number = 0;
  bool is_number = false;
};

// As log(), for a line written on every request (the access log): the fields are views written
// straight into the line, strings escaped as JSON on the way, so no JSON object is built for it.
void log_line(LogLevel level, std::string_view message, std::span<const LogField> fields);

// The one way an outgoing call (S3, Secrets Manager, Redis, any HTTP API) reports its failure:
// a warning "outgoing call failed" with {"service", "operation", "error", ...fields} and the
// thread's context, so the request (or the job) it was made for is named. `error` must not hold a
// secret (a presigned URL, a credential): say what failed, not what was sent.
void log_outgoing_error(std::string_view service, std::string_view operation,
                        std::string_view error, boost::json::object fields = {});

}  // namespace oeuvre::obs
