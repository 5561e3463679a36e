#include "observability/log.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
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
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
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

bool log_enabled(LogLevel level) {
  return static_cast<int>(level) >= g_min_level.load(std::memory_order_relaxed);
}

LogScope::LogScope(const LogContext& context) : previous_(t_context) { t_context = &context; }

LogScope::~LogScope() { t_context = previous_; }

const LogContext& current_log_context() { return *t_context; }

OwnedLogContext capture_log_context() {
  const LogContext& c = *t_context;
  return {std::string(c.request_id), std::string(c.trace_id), std::string(c.span_id)};
}

namespace {

// The bytes a JSON string must escape: control characters, '"' and '\\'.
constexpr std::array<bool, 256> kEscaped = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = true;
  table['"'] = true;
  table['\\'] = true;
  return table;
}();

// True when one of the eight bytes of `word` must be escaped (below 0x20, '"' or '\\'): the
// classic "has a zero byte" test, exact for the word as a whole. Most text has nothing to escape, so
// append_json_string steps over it eight bytes at a time.
constexpr bool any_escaped(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t x) { return ((x - kOnes) & ~x & kHighs) != 0; };
  const bool below_space = ((word - kOnes * 0x20) & ~word & kHighs) != 0;
  return below_space || has_zero(word ^ (kOnes * '"')) || has_zero(word ^ (kOnes * '\\'));
}

// Appends `text` as a JSON string. Bytes from 0x80 up are copied as they are (the callers' text is
// UTF-8; a request's path has been made valid before it gets here).
void append_json_string(std::string& line, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  line.push_back('"');
  std::size_t run = 0;  // start of the bytes not yet copied
  for (std::size_t i = 0; i < text.size();) {
    if (i + 8 <= text.size()) {
      std::uint64_t word;
      std::memcpy(&word, text.data() + i, sizeof word);
      if (!any_escaped(word)) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(text[i++]);
    if (!kEscaped[c]) continue;
    line.append(text.data() + run, i - 1 - run);
    run = i;
    switch (c) {
      case '"':
        line.append("\\\"");
        break;
      case '\\':
        line.append("\\\\");
        break;
      case '\n':
        line.append("\\n");
        break;
      case '\r':
        line.append("\\r");
        break;
      case '\t':
        line.append("\\t");
        break;
      default: {
        const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        line.append(escaped, sizeof escaped);
      }
    }
  }
  line.append(text.data() + run, text.size() - run);
  line.push_back('"');
}

void append_key(std::string& line, std::string_view key) {
  line.push_back(line.empty() ? '{' : ',');
  append_json_string(line, key);
  line.push_back(':');
}

bool is_fixed_key(std::string_view key) {
  return key == "ts" || key == "level" || key == "msg" || key == "request_id" ||
         key == "trace_id" || key == "span_id";
}

// The line's buffer (reused by the thread) with the fields every line has written into it.
std::string& begin_line(LogLevel level, std::string_view message) {
  thread_local std::string line;
  line.clear();
  char ts[kTimestampChars];
  write_timestamp(now_utc(), ts);
  line.append(R"({"ts":")").append(ts, sizeof ts).push_back('"');
  append_key(line, "level");
  append_json_string(line, level_name(level));
  append_key(line, "msg");
  append_json_string(line, message);
  const LogContext& c = *t_context;
  if (!c.request_id.empty()) append_key(line, "request_id"), append_json_string(line, c.request_id);
  if (!c.trace_id.empty()) append_key(line, "trace_id"), append_json_string(line, c.trace_id);
  if (!c.span_id.empty()) append_key(line, "span_id"), append_json_string(line, c.span_id);
  return line;
}

void end_line(std::string& line, LogLevel level) {
  line.push_back('}');
  StderrSink::instance().write(line, level >= LogLevel::kWarn);
}

}  // namespace

void log(LogLevel level, std::string_view message, boost::json::object fields) {
  if (!log_enabled(level)) return;
  std::string& line = begin_line(level, message);
  thread_local boost::json::serializer serializer;
  for (const auto& [key, value] : fields) {
    if (is_fixed_key(key)) continue;  // a field named like a fixed one is left out
    append_key(line, key);
    if (value.is_string()) {
      append_json_string(line, value.get_string());
      continue;
    }
    serializer.reset(&value);
    char buffer[1024];
    while (!serializer.done()) {
      const boost::json::string_view piece = serializer.read(buffer, sizeof buffer);
      line.append(piece.data(), piece.size());
    }
  }
  end_line(line, level);
}

void log_line(LogLevel level, std::string_view message, std::span<const LogField> fields) {
  if (!log_enabled(level)) return;
  std::string& line = begin_line(level, message);
  for (const LogField& field : fields) {
    if (is_fixed_key(field.key)) continue;
    append_key(line, field.key);
    if (field.is_number) {
      char digits[24];
      const auto end = std::to_chars(digits, digits + sizeof digits, field.number).ptr;
      line.append(digits, end);
    } else {
      append_json_string(line, field.text);
    }
  }
  end_line(line, level);
}

void log_outgoing_error(std::string_view service, std::string_view operation,
                        std::string_view error, boost::json::object fields) {
  fields["service"] = service;
  fields["operation"] = operation;
  fields["error"] = error;
  log(LogLevel::kWarn, "outgoing call failed", std::move(fields));
}

}  // namespace oeuvre::obs
