#include "observability/log.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/time.h"

namespace oeuvre::obs {
namespace {

TEST(LogContextTest, ScopesNestAndRestore) {
  EXPECT_EQ(current_request_id(), "");
  const LogContext outer{"req-1", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"};
  {
    LogScope a(outer);
    EXPECT_EQ(current_request_id(), "req-1");
    EXPECT_EQ(current_log_context().trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
    const OwnedLogContext copy = capture_log_context();
    {
      const LogContext inner{"req-2", {}, {}};
      LogScope b(inner);
      EXPECT_EQ(current_request_id(), "req-2");
      EXPECT_EQ(current_log_context().trace_id, "");
    }
    EXPECT_EQ(current_request_id(), "req-1");
    std::string seen;
    std::thread([&] {
      EXPECT_EQ(current_request_id(), "");  // thread-local: another thread has its own
      const LogContext handed = copy.view();
      LogScope c(handed);
      seen = std::string(current_log_context().span_id);
    }).join();
    EXPECT_EQ(seen, "00f067aa0ba902b7");
  }
  EXPECT_EQ(current_request_id(), "");
}

TEST(LogTest, AnOutgoingCallsFailureNamesTheWorkItWasMadeFor) {
  const LogContext context{"req-7", "4bf92f3577b34da6a3ce929d0e0e4736", ""};
  testing::internal::CaptureStderr();
  {
    LogScope scope(context);
    log_outgoing_error("s3", "PUT", "HTTP 503", {{"key", "backups/a"}, {"attempt", 2}});
  }
  oeuvre::obs::flush_logs();  // the info lines are written in batches
  const std::string out = testing::internal::GetCapturedStderr();
  const std::string line = out.substr(0, out.find('\n'));
  const boost::json::object fields = boost::json::parse(line).as_object();
  EXPECT_EQ(fields.at("msg"), "outgoing call failed");
  EXPECT_EQ(fields.at("level"), "warn");
  EXPECT_EQ(fields.at("request_id"), "req-7");
  EXPECT_EQ(fields.at("trace_id"), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_FALSE(fields.contains("span_id"));  // an empty field is left out
  EXPECT_EQ(fields.at("service"), "s3");
  EXPECT_EQ(fields.at("operation"), "PUT");
  EXPECT_EQ(fields.at("error"), "HTTP 503");
  EXPECT_EQ(fields.at("key"), "backups/a");
  EXPECT_EQ(fields.at("attempt"), 2);
}

// A line written field by field (log_line, the access log's way) is one JSON object whose strings
// come back exactly as given: quotes, backslashes, control characters and UTF-8 included.
TEST(LogTest, ALineWrittenFieldByFieldIsValidJsonWithEveryStringIntact) {
  const std::string awkward = std::string("a\"b\\c\n\r\t\x01\x1f ü/€ ") + '\0' + "end";
  const LogContext context{"req-\"9\"", "", ""};
  testing::internal::CaptureStderr();
  {
    LogScope scope(context);
    const LogField fields[] = {
        {"path", awkward},
        {"status", 503u},
        {"duration_us", std::int64_t{-12}},
        {"msg", "a field named like a fixed one is left out"},
        {"empty", ""},
    };
    log_line(LogLevel::kError, "req\"uest", fields);
  }
  flush_logs();
  const std::string out = testing::internal::GetCapturedStderr();
  ASSERT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  const boost::json::object line = boost::json::parse(out).as_object();
  EXPECT_EQ(line.at("msg"), "req\"uest");
  EXPECT_EQ(line.at("level"), "error");
  EXPECT_EQ(line.at("request_id"), "req-\"9\"");
  EXPECT_EQ(line.at("path").as_string(), awkward);
  EXPECT_EQ(line.at("status"), 503);
  EXPECT_EQ(line.at("duration_us"), -12);
  EXPECT_EQ(line.at("empty"), "");
  EXPECT_EQ(line.size(), 8u);  // ts, level, msg, request_id and the four fields not left out
}

// Text is scanned eight bytes at a time: every byte value, at every place in and around a word
// (the last bytes of a text that is not a multiple of eight included), comes back as it was.
TEST(LogTest, EveryByteAtEveryOffsetSurvivesTheWordAtATimeScan) {
  std::vector<std::string> texts;
  for (int byte = 0; byte < 0x80; ++byte) {
    for (std::size_t offset = 0; offset < 17; ++offset) {
      std::string text(offset, 'x');
      text += static_cast<char>(byte);
      text += std::string(offset % 5, 'y');
      texts.push_back(std::move(text));
    }
  }
  texts.push_back("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 and then a quote \" at byte 30");
  testing::internal::CaptureStderr();
  for (const std::string& text : texts) {
    const LogField fields[] = {{"text", text}, {text, "the text as a key"}};
    log_line(LogLevel::kInfo, "scan", fields);
  }
  flush_logs();
  const std::string out = testing::internal::GetCapturedStderr();
  std::size_t start = 0;
  for (const std::string& text : texts) {
    const std::size_t end = out.find('\n', start);
    ASSERT_NE(end, std::string::npos);
    const boost::json::object line = boost::json::parse(out.substr(start, end - start)).as_object();
    EXPECT_EQ(line.at("text").as_string(), text);
    EXPECT_EQ(line.at(text).as_string(), "the text as a key");
    start = end + 1;
  }
  EXPECT_EQ(start, out.size());
}

// A line longer than any before it (the thread's buffer grows for it) is written whole, escapes
// and all, and the next, short line after it is intact too.
TEST(LogTest, ALineLongerThanAnyBeforeIsWrittenWhole) {
  std::string path;
  for (int i = 0; i < 2000; ++i)
    path += "/segment-" + std::to_string(i) + (i % 7 == 0 ? "\"\n" : "");
  const LogContext context{"req-long", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"};
  testing::internal::CaptureStderr();
  {
    LogScope scope(context);
    const LogField fields[] = {{"path", path}, {"bytes", path.size()}};
    log_line(LogLevel::kInfo, "long", fields);
    log_line(LogLevel::kInfo, "short", {});
  }
  flush_logs();
  const std::string out = testing::internal::GetCapturedStderr();
  const std::size_t end = out.find('\n');
  ASSERT_NE(end, std::string::npos);
  const boost::json::object line = boost::json::parse(out.substr(0, end)).as_object();
  EXPECT_EQ(line.at("path").as_string(), path);
  EXPECT_EQ(line.at("bytes"), static_cast<std::int64_t>(path.size()));
  EXPECT_EQ(line.at("span_id"), "00f067aa0ba902b7");
  const boost::json::object next = boost::json::parse(out.substr(end + 1)).as_object();
  EXPECT_EQ(next.at("msg"), "short");
  EXPECT_EQ(next.at("request_id"), "req-long");
}

// The same escaping serves log()'s string fields; other values go through the JSON serializer.
// Each line's "ts" is the time it was written, to the microsecond, although the date and time down
// to the second are formatted once per second per thread: many lines in one second each carry their
// own fraction, and a line after a second boundary its new second.
TEST(LogTest, EveryLineCarriesItsOwnTimeToTheMicrosecond) {
  testing::internal::CaptureStderr();
  const Timestamp before = now_utc();
  for (int i = 0; i < 200; ++i) log_line(LogLevel::kInfo, "tick", {});
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  log_line(LogLevel::kInfo, "tock", {});
  const Timestamp after = now_utc();
  flush_logs();
  const std::string out = testing::internal::GetCapturedStderr();
  std::vector<Timestamp> times;
  std::size_t start = 0;
  for (std::size_t end; (end = out.find('\n', start)) != std::string::npos; start = end + 1) {
    const boost::json::object line = boost::json::parse(out.substr(start, end - start)).as_object();
    const auto ts = parse_timestamp(line.at("ts").as_string());
    ASSERT_TRUE(ts.has_value()) << line.at("ts");
    times.push_back(*ts);
  }
  ASSERT_EQ(times.size(), 201u);
  // Truncated to microseconds, a time may read up to 1 us before the clock's reading before it.
  EXPECT_GE(times.front() + std::chrono::microseconds(1), before);
  EXPECT_LE(times.back(), after);
  EXPECT_TRUE(std::is_sorted(times.begin(), times.end()));
  EXPECT_GE(times.back() - times[199], std::chrono::milliseconds(1100));
  EXPECT_GT(std::set<Timestamp>(times.begin(), times.end()).size(), 1u);  // not all one cached value
}

TEST(LogTest, ObjectFieldsAreWrittenAsTheJsonTheyAre) {
  testing::internal::CaptureStderr();
  log_warn("with \"fields\"", {{"text", "tab\there"},
                               {"list", boost::json::array{1, "two", nullptr}},
                               {"nested", {{"k", 1.5}}},
                               {"level", "left out"}});
  flush_logs();
  const std::string out = testing::internal::GetCapturedStderr();
  const boost::json::object line = boost::json::parse(out).as_object();
  EXPECT_EQ(line.at("msg"), "with \"fields\"");
  EXPECT_EQ(line.at("level"), "warn");
  EXPECT_EQ(line.at("text"), "tab\there");
  EXPECT_EQ(line.at("list"), (boost::json::array{1, "two", nullptr}));
  EXPECT_EQ(line.at("nested").at("k"), 1.5);
}

}  // namespace
}  // namespace oeuvre::obs
