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

  // REQUIRES: `line` ends with its newline.
  void write(std::string_view line, bool urgent) {
    std::lock_guard lock(mutex_);
    buffer_.append(line);
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
// classic "has a zero byte" test, exact for the word as a whole. Most text has nothing to escape,
// so write_json_string steps over it eight bytes at a time.
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

constexpr std::uint64_t kSpaces = 0x2020202020202020ULL;

// Up to 8 bytes (`n`) of a string as a word, padded with spaces.
inline std::uint64_t load_up_to_8(const char* in, std::size_t n) {
  if (n == 8) {
    std::uint64_t word;
    std::memcpy(&word, in, sizeof word);
    return word;
  }
  return n == 0 ? kSpaces : load_tail(in, n);
}

// The most bytes write_json_string writes for a text of `n` bytes: each byte escaped as "\u00XX",
// the quotes, and a word's slack (short texts and tails are stored a whole word at a time).
constexpr std::size_t json_string_bound(std::size_t n) { return n * 6 + 2 + 16; }

// `text` as a JSON string at `out`; returns the end. Bytes from 0x80 up are copied as they are (the
// callers' text is UTF-8; a request's path has been made valid before it gets here). REQUIRES:
// json_string_bound(text.size()) bytes of room at `out`.
char* write_json_string_scanned(char* out, std::string_view text);
inline char* write_json_string(char* out, std::string_view text) {
  // Most keys and values are at most 16 bytes with nothing to escape: checked and copied as two
  // words here, inline, rather than by the loop.
  if (const std::size_t n = text.size(); n <= 16) {
    const std::uint64_t first = load_up_to_8(text.data(), n < 8 ? n : 8);
    const std::uint64_t second = n > 8 ? load_up_to_8(text.data() + 8, n - 8) : kSpaces;
    if (!any_escaped(first) && !any_escaped(second)) {
      out[0] = '"';
      std::memcpy(out + 1, &first, sizeof first);
      std::memcpy(out + 9, &second, sizeof second);
      out[1 + n] = '"';  // over the padding, which lands in the slack
      return out + n + 2;
    }
  }
  return write_json_string_scanned(out, text);
}

// Eight bytes at a time while there is nothing to escape.
char* write_json_string_scanned(char* out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
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
      std::memcpy(out, &word, sizeof word);  // the padding lands in the slack
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
  return out;
}

inline char* write_raw(char* out, std::string_view text) {
  std::memcpy(out, text.data(), text.size());
  return out + text.size();
}

// The thread's line being written. Room is made once for what is about to be written (for the
// access log's line: once for the whole line), which is then written through a plain pointer
// without a capacity check per piece. The buffer keeps its size between lines (it is never shrunk
// or zero-filled again); `used` is the line's length.
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

  void put(std::string_view text) { commit(write_raw(room(text.size()), text)); }
  void put_json_string(std::string_view text) {
    commit(write_json_string(room(json_string_bound(text.size())), text));
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

// What follows the timestamp's text up to the message, for each level: keys and values that need
// no escape, written as they are.
constexpr std::string_view level_and_msg_keys(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return R"(","level":"debug","msg":)";
    case LogLevel::kInfo:
      return R"(","level":"info","msg":)";
    case LogLevel::kWarn:
      return R"(","level":"warn","msg":)";
    case LogLevel::kError:
      return R"(","level":"error","msg":)";
  }
  return R"(","level":"info","msg":)";
}

constexpr std::string_view kTsKey = R"({"ts":")";
constexpr std::string_view kRequestIdKey = R"(,"request_id":)";
constexpr std::string_view kTraceIdKey = R"(,"trace_id":)";
constexpr std::string_view kSpanIdKey = R"(,"span_id":)";
constexpr std::size_t kLongestLevelAndMsgKeys = 24;
static_assert(level_and_msg_keys(LogLevel::kDebug).size() <= kLongestLevelAndMsgKeys &&
              level_and_msg_keys(LogLevel::kError).size() <= kLongestLevelAndMsgKeys);

// The most bytes write_head writes.
std::size_t head_bound(std::string_view message, const LogContext& c) {
  return kTsKey.size() + kTimestampChars + kLongestLevelAndMsgKeys +
         json_string_bound(message.size()) + kRequestIdKey.size() +
         json_string_bound(c.request_id.size()) + kTraceIdKey.size() +
         json_string_bound(c.trace_id.size()) + kSpanIdKey.size() +
         json_string_bound(c.span_id.size());
}

// The fields every line has, from its opening brace: {"ts","level","msg" and the context's ids (the
// ones set). The date and time down to the second are formatted once per second per thread; only
// the microseconds are written for each line. REQUIRES: head_bound() bytes of room at `out`.
char* write_head(char* out, LogLevel level, std::string_view message, const LogContext& c) {
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
  out = write_raw(out, kTsKey);
  out = write_raw(out, {cached, sizeof cached});
  out = write_raw(out, level_and_msg_keys(level));
  out = write_json_string(out, message);
  if (!c.request_id.empty()) out = write_json_string(write_raw(out, kRequestIdKey), c.request_id);
  if (!c.trace_id.empty()) out = write_json_string(write_raw(out, kTraceIdKey), c.trace_id);
  if (!c.span_id.empty()) out = write_json_string(write_raw(out, kSpanIdKey), c.span_id);
  return out;
}

// ,"key": -- REQUIRES: key_bound() bytes of room at `out`.
constexpr std::size_t key_bound(std::string_view key) { return 2 + json_string_bound(key.size()); }
inline char* write_key(char* out, std::string_view key) {
  *out++ = ',';
  out = write_json_string(out, key);
  *out++ = ':';
  return out;
}

// write_key for a key that needs no escape (LogKey::plain): copied as it is. REQUIRES:
// key_bound() bytes of room at `out`.
inline char* write_plain_key(char* out, std::string_view key) {
  out[0] = ',';
  out[1] = '"';
  if (const std::size_t n = key.size(); n <= 16) {
    const std::uint64_t first = load_up_to_8(key.data(), n < 8 ? n : 8);
    const std::uint64_t second = n > 8 ? load_up_to_8(key.data() + 8, n - 8) : kSpaces;
    std::memcpy(out + 2, &first, sizeof first);
    std::memcpy(out + 10, &second, sizeof second);  // the padding lands in the slack
  } else {
    std::memcpy(out + 2, key.data(), n);
  }
  out += 2 + key.size();
  out[0] = '"';
  out[1] = ':';
  return out + 2;
}

// The thread's line buffer, emptied.
LineBuffer& new_line() {
  thread_local LineBuffer line;
  line.clear();
  return line;
}

void end_line(LineBuffer& line, LogLevel level) {
  line.put("}\n");
  StderrSink::instance().write(line.view(), level >= LogLevel::kWarn);
}

}  // namespace

void log(LogLevel level, std::string_view message, boost::json::object fields) {
  if (!log_enabled(level)) return;
  LineBuffer& line = new_line();
  const LogContext& c = *t_context;
  line.commit(write_head(line.room(head_bound(message, c)), level, message, c));
  thread_local boost::json::serializer serializer;
  for (const auto& [key, value] : fields) {
    if (is_fixed_key(key)) continue;  // a field named like a fixed one is left out
    line.commit(write_key(line.room(key_bound(key)), key));
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
  const LogContext& c = *t_context;
  // Room for the whole line at once, then written without another capacity check.
  constexpr std::size_t kNumberChars = 20;  // "-9223372036854775808"
  std::size_t bound = head_bound(message, c);
  for (const LogField& field : fields) {
    bound += key_bound(field.key.text()) +
             (field.is_number ? kNumberChars : json_string_bound(field.text.size()));
  }
  LineBuffer& line = new_line();
  char* out = write_head(line.room(bound), level, message, c);
  for (const LogField& field : fields) {
    const std::string_view key = field.key.text();
    if (is_fixed_key(key)) continue;  // a field named like a fixed one is left out
    out = field.key.plain() ? write_plain_key(out, key) : write_key(out, key);
    out = field.is_number ? std::to_chars(out, out + kNumberChars, field.number).ptr
                          : write_json_string(out, field.text);
  }
  line.commit(out);
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
