#include "observability/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include "core/time.h"

namespace oeuvre::obs {

namespace {

const LogContext kNoContext{};
thread_local const LogContext* t_context = &kNoContext;
std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};

// Every log line goes to stderr through this one buffer: a warning or an error is written at once
// (after the lines buffered before it), info and debug lines within kFlushInterval or as soon as
// kFlushBytes have gathered, and whatever is left at exit. One write(2) per flush instead of one
// per line is what keeps the access log cheap at tens of thousands of requests a second; the price
// is that a crash may lose the last interval's info lines, never a warning or an error.
class StderrSink {
 public:
  // Never destroyed: a line logged while the process exits still has somewhere to go.
  static StderrSink& instance() {
    static StderrSink* sink = new StderrSink();
    return *sink;
  }

  void write(std::string_view line, bool urgent) {
    std::lock_guard lock(mutex_);
    buffer_.append(line);
    buffer_.push_back('\n');
    if (urgent || buffer_.size() >= kFlushBytes) flush_locked();
  }

  void flush() {
    std::lock_guard lock(mutex_);
    flush_locked();
  }

 private:
  static constexpr std::size_t kFlushBytes = 64 * 1024;
  static constexpr std::chrono::milliseconds kFlushInterval{100};

  StderrSink() {
    buffer_.reserve(kFlushBytes * 2);
    std::thread([this] {
      while (true) {
        std::this_thread::sleep_for(kFlushInterval);
        flush();
      }
    }).detach();
    std::atexit([] { instance().flush(); });
  }

  // Writes the buffer out whole (short writes and EINTR retried); a failing stderr drops it, so a
  // stuck log never grows the buffer.
  void flush_locked() {
    std::size_t written = 0;
    while (written < buffer_.size()) {
      const ssize_t n = ::write(STDERR_FILENO, buffer_.data() + written, buffer_.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
    buffer_.clear();
  }

  std::mutex mutex_;
  std::string buffer_;
};

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

}  // namespace

void init_logging(std::string_view level) {
  LogLevel min = LogLevel::kInfo;
  if (level == "debug") min = LogLevel::kDebug;
  if (level == "warn") min = LogLevel::kWarn;
  if (level == "error") min = LogLevel::kError;
  g_min_level = static_cast<int>(min);
  StderrSink::instance();
}

void flush_logs() { StderrSink::instance().flush(); }

LogScope::LogScope(const LogContext& context) : previous_(t_context) { t_context = &context; }

LogScope::~LogScope() { t_context = previous_; }

const LogContext& current_log_context() { return *t_context; }

OwnedLogContext capture_log_context() {
  const LogContext& c = *t_context;
  return {std::string(c.request_id), std::string(c.trace_id), std::string(c.span_id)};
}

void log(LogLevel level, std::string_view message, boost::json::object fields) {
  if (static_cast<int>(level) < g_min_level.load(std::memory_order_relaxed)) return;
  // The line is written field by field into one reused buffer (an access log line per request: no
  // second object, no allocation per field); a field named like one of the fixed ones is left out.
  thread_local std::string line;
  thread_local boost::json::serializer serializer;
  line.clear();
  auto append = [](auto&& what) {
    serializer.reset(what);
    char buffer[1024];
    while (!serializer.done()) {
      const boost::json::string_view piece = serializer.read(buffer, sizeof buffer);
      line.append(piece.data(), piece.size());
    }
  };
  auto add = [&](std::string_view key, auto&& value) {
    line.push_back(line.empty() ? '{' : ',');
    append(boost::json::string_view(key));
    line.push_back(':');
    append(value);
  };
  const LogContext& c = *t_context;
  const std::string ts = format_timestamp(now_utc());
  add("ts", boost::json::string_view(ts));
  add("level", boost::json::string_view(level_name(level)));
  add("msg", boost::json::string_view(message));
  if (!c.request_id.empty()) add("request_id", boost::json::string_view(c.request_id));
  if (!c.trace_id.empty()) add("trace_id", boost::json::string_view(c.trace_id));
  if (!c.span_id.empty()) add("span_id", boost::json::string_view(c.span_id));
  for (const auto& [key, value] : fields) {
    if (key == "ts" || key == "level" || key == "msg" || key == "request_id" || key == "trace_id" ||
        key == "span_id") {
      continue;
    }
    add(key, &value);
  }
  line.push_back('}');
  StderrSink::instance().write(line, level >= LogLevel::kWarn);
}

void log_outgoing_error(std::string_view service, std::string_view operation, std::string_view error,
                        boost::json::object fields) {
  fields["service"] = service;
  fields["operation"] = operation;
  fields["error"] = error;
  log(LogLevel::kWarn, "outgoing call failed", std::move(fields));
}

}  // namespace oeuvre::obs
