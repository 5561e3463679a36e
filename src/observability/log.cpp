#include "observability/log.h"

#include <unistd.h>

#include <algorithm>
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
// put_json_string steps over it eight bytes at a time.
constexpr bool any_escaped(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t x) { return ((x - kOnes) & ~x & kHighs) != 0; };
  const bool below_space = ((word - kOnes * 0x20) & ~word & kHighs) != 0;
  return below_space || has_zero(word ^ (kOnes * '"')) || has_zero(word ^ (kOnes * '\\'));
}

// The last `n` (1..7) bytes of a string as a word, padded with spaces (which need no escape): two
// overlapping loads instead of a byte loop, so that short strings -- most of a log line's keys and
// values -- are checked and copied as one word too.
inline std::uint64_t load_tail(const char* in, std::size_t n) {
  std::uint64_t word;
  if (n >= 4) {
    std::uint32_t head, tail;
    std::memcpy(&head, in, 4);
    std::memcpy(&tail, in + n - 4, 4);
    word = head | (static_cast<std::uint64_t>(tail) << (8 * (n - 4)));
  } else {
    const auto byte = [in](std::size_t i) { return static_cast<std::uint64_t>(static_cast<unsigned char>(in[i])); };
    word = byte(0) | (byte(n / 2) << (8 * (n / 2))) | (byte(n - 1) << (8 * (n - 1)));
  }
  return word | (0x2020202020202020ULL << (8 * n));
}

// The thread's line being written. Room for each piece is made once, before it is written
// through a plain pointer: a line is some twenty pieces, and one capacity check and one copy per
// piece is what the access log's cost per request comes down to. The buffer keeps its size between
// lines (it is never shrunk or zero-filled again); `used` is the line's length.
class LineBuffer {
 public:
  void clear() { used_ = 0; }
  std::string_view view() const { return {bytes_.data(), used_}; }

  // A pointer to at least `n` writable bytes at the end of the line; commit() says how many were
  // written.
  char* room(std::size_t n) {
    if (bytes_.size() - used_ < n) bytes_.resize(std::max(bytes_.size() * 2, used_ + n + 256));
    return bytes_.data() + used_;
  }
  void commit(const char* end) { used_ = static_cast<std::size_t>(end - bytes_.data()); }

  void put(std::string_view text) {
    std::memcpy(room(text.size()), text.data(), text.size());
    used_ += text.size();
  }

  // `text` as a JSON string. Bytes from 0x80 up are copied as they are (the callers' text is UTF-8;
  // a request's path has been made valid before it gets here).
  void put_json_string(std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    // "\u00XX" is the longest escape; 8 more so that a short tail is stored as a whole word.
    char* out = room(text.size() * 6 + 2 + 8);
    *out++ = '"';
    const char* in = text.data();
    const char* const end = in + text.size();
    while (in < end) {
      std::uint64_t word;
      const auto left = static_cast<std::size_t>(end - in);
      if (left >= 8) {
        std::memcpy(&word, in, sizeof word);
        if (!any_escaped(word)) {
          std::memcpy(out, &word, sizeof word);
          in += 8;
          out += 8;
          continue;
        }
      } else if (word = load_tail(in, left); !any_escaped(word)) {
        std::memcpy(out, &word, sizeof word);  // the padding lands in the room's slack
        out += left;
        break;
      }
      const auto c = static_cast<unsigned char>(*in++);
      if (!kEscaped[c]) {
        *out++ = static_cast<char>(c);
        continue;
      }
      *out++ = '\\';
      switch (c) {
        case '"':
        case '\\':
          *out++ = static_cast<char>(c);
          break;
        case '\n':
          *out++ = 'n';
          break;
        case '\r':
          *out++ = 'r';
          break;
        case '\t':
          *out++ = 't';
          break;
        default:
          std::memcpy(out, "u00", 3);
          out[3] = kHex[c >> 4];
          out[4] = kHex[c & 0xF];
          out += 5;
      }
    }
    *out++ = '"';
    commit(out);
  }

  // ,"key": -- the opening brace instead of the comma for the line's first key.
  void put_key(std::string_view key) {
    char* out = room(1);
    *out = used_ == 0 ? '{' : ',';
    commit(out + 1);
    put_json_string(key);
    *room(1) = ':';
    ++used_;
  }

  void put_number(std::int64_t number) {
    char* out = room(24);
    commit(std::to_chars(out, out + 24, number).ptr);
  }

 private:
  std::string bytes_;
  std::size_t used_ = 0;
};

// The fields every line has first, so a caller's field of the same name is left out.
bool is_fixed_key(std::string_view key) {
  switch (key.size()) {
    case 2:
      return key == "ts";
    case 3:
      return key == "msg";
    case 5:
      return key == "level";
    case 7:
      return key == "span_id";
    case 8:
      return key == "trace_id";
    case 10:
      return key == "request_id";
    default:
      return false;
  }
}

// `"ts":"<now>"` into the line. The date and time down to the second are formatted once per second
// per thread; only the microseconds are written for each line.
void put_timestamp(LineBuffer& line) {
  thread_local std::int64_t cached_second = -1;
  thread_local char cached[kTimestampChars];
  const Timestamp now = now_utc();
  const std::int64_t micros = now.time_since_epoch().count();
  const std::int64_t second = micros >= 0 ? micros / 1'000'000 : -1;
  if (second < 0 || second != cached_second) {
    write_timestamp(now, cached);
    cached_second = second;
  } else {
    std::int64_t fraction = micros % 1'000'000;
    for (int i = 25; i >= 20; --i, fraction /= 10) cached[i] = static_cast<char>('0' + fraction % 10);
  }
  line.put(R"({"ts":")");
  line.put({cached, sizeof cached});
  line.put(R"(")");
}

// The line's buffer (reused by the thread) with the fields every line has written into it.
LineBuffer& begin_line(LogLevel level, std::string_view message) {
  thread_local LineBuffer line;
  line.clear();
  put_timestamp(line);
  line.put_key("level");
  line.put_json_string(level_name(level));
  line.put_key("msg");
  line.put_json_string(message);
  const LogContext& c = *t_context;
  if (!c.request_id.empty()) line.put_key("request_id"), line.put_json_string(c.request_id);
  if (!c.trace_id.empty()) line.put_key("trace_id"), line.put_json_string(c.trace_id);
  if (!c.span_id.empty()) line.put_key("span_id"), line.put_json_string(c.span_id);
  return line;
}

void end_line(LineBuffer& line, LogLevel level) {
  line.put("}");
  StderrSink::instance().write(line.view(), level >= LogLevel::kWarn);
}

}  // namespace

void log(LogLevel level, std::string_view message, boost::json::object fields) {
  if (!log_enabled(level)) return;
  LineBuffer& line = begin_line(level, message);
  thread_local boost::json::serializer serializer;
  for (const auto& [key, value] : fields) {
    if (is_fixed_key(key)) continue;  // a field named like a fixed one is left out
    line.put_key(key);
    if (value.is_string()) {
      line.put_json_string(value.get_string());
      continue;
    }
    serializer.reset(&value);
    char buffer[1024];
    while (!serializer.done()) {
      const boost::json::string_view piece = serializer.read(buffer, sizeof buffer);
      line.put({piece.data(), piece.size()});
    }
  }
  end_line(line, level);
}

void log_line(LogLevel level, std::string_view message, std::span<const LogField> fields) {
  if (!log_enabled(level)) return;
  LineBuffer& line = begin_line(level, message);
  for (const LogField& field : fields) {
    if (is_fixed_key(field.key)) continue;
    line.put_key(field.key);
    if (field.is_number) {
      line.put_number(field.number);
    } else {
      line.put_json_string(field.text);
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
