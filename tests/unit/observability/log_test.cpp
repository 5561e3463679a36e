#include "observability/log.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>
#include <thread>

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

}  // namespace
}  // namespace oeuvre::obs
