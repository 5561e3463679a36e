#include "observability/trace_context.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

namespace oeuvre::obs {
namespace {

constexpr const char* kTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* kParent = "00f067aa0ba902b7";
const std::string kValid = std::string("00-") + kTrace + "-" + kParent + "-01";

TEST(TraceContextTest, ParsesTheSpecExample) {
  auto parsed = parse_traceparent(kValid);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->version, 0);
  EXPECT_EQ(view_of(parsed->trace_id), kTrace);
  EXPECT_EQ(view_of(parsed->parent_id), kParent);
  EXPECT_EQ(parsed->flags, 1);
  auto unsampled = parse_traceparent(std::string("00-") + kTrace + "-" + kParent + "-00");
  ASSERT_TRUE(unsampled);
  EXPECT_EQ(unsampled->flags, 0);
  // Flags version 00 does not define are read, not refused.
  auto other_flags = parse_traceparent(std::string("00-") + kTrace + "-" + kParent + "-ff");
  ASSERT_TRUE(other_flags);
  EXPECT_EQ(other_flags->flags, 0xff);
}

TEST(TraceContextTest, RefusesWhatTheSpecCallsInvalid) {
  const std::string t = kTrace;
  const std::string p = kParent;
  const std::string invalid[] = {
      "",
      "00",
      "00-" + t + "-" + p,                                   // no flags
      "00-" + t + "-" + p + "-1",                            // short flags
      "00-" + t + "-" + p + "-01-",                          // version 00 is exactly 55 characters
      "00-" + t + "-" + p + "-01-extra",                     // ... with nothing after
      "00-" + t + "-" + p + "-01 ",                          // not even a space
      "ff-" + t + "-" + p + "-01",                           // version ff is invalid
      "0g-" + t + "-" + p + "-01",                           // version not hex
      "00-" + std::string(32, '0') + "-" + p + "-01",        // all-zero trace id
      "00-" + t + "-" + std::string(16, '0') + "-01",        // all-zero parent id
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-" + p + "-01",    // uppercase trace id
      "00-" + t + "-00F067AA0BA902B7-01",                    // uppercase parent id
      "00-" + t + "-" + p + "-0A",                           // uppercase flags
      "00-" + t.substr(0, 31) + "-" + p + "-01" + "0",       // short trace id, same length
      "00-" + t + "-" + p.substr(0, 15) + "x-01",            // non-hex parent id
      "00_" + t + "-" + p + "-01",                           // wrong separators
      "00-" + t + "_" + p + "-01",
      "00-" + t + "-" + p + "_01",
      "00-" + t + "-" + p + "-0z",                           // non-hex flags
      " 00-" + t + "-" + p + "-0",                           // shifted by a space
      "cc-" + t + "-" + p + "-01.what-the-future-will-be",   // a later version goes on with '-' only
  };
  for (const std::string& header : invalid) {
    EXPECT_FALSE(parse_traceparent(header)) << "accepted: '" << header << "'";
  }
}

TEST(TraceContextTest, ReadsALaterVersionByVersion00sLayout) {
  const std::string t = kTrace;
  const std::string p = kParent;
  auto exact = parse_traceparent("cc-" + t + "-" + p + "-01");
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->version, 0xcc);
  EXPECT_EQ(view_of(exact->trace_id), t);
  auto longer = parse_traceparent("cc-" + t + "-" + p + "-01-what-the-future-will-be-like");
  ASSERT_TRUE(longer);
  EXPECT_EQ(view_of(longer->parent_id), p);
  EXPECT_EQ(longer->flags, 1);
  // Its fields are still checked.
  EXPECT_FALSE(parse_traceparent("cc-" + std::string(32, '0') + "-" + p + "-01-x"));
}

TEST(TraceContextTest, FormatsVersion00) {
  TraceId trace{};
  SpanId span{};
  std::copy_n(kTrace, 32, trace.begin());
  std::copy_n(kParent, 16, span.begin());
  EXPECT_EQ(format_traceparent(trace, span, 1), kValid);
  EXPECT_EQ(format_traceparent(trace, span, 0xa0), std::string("00-") + kTrace + "-" + kParent + "-a0");
  // What is formatted parses back to the same.
  auto parsed = parse_traceparent(format_traceparent(trace, span, 0));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->trace_id, trace);
  EXPECT_EQ(parsed->parent_id, span);
}

TEST(TraceContextTest, NewIdsAreRandomLowercaseHex) {
  std::set<std::string> traces;
  std::set<std::string> spans;
  for (int i = 0; i < 1000; ++i) {
    const TraceId t = new_trace_id();
    const SpanId s = new_span_id();
    for (char c : t) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << c;
    for (char c : s) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << c;
    EXPECT_NE(std::string(view_of(t)), std::string(32, '0'));
    EXPECT_NE(std::string(view_of(s)), std::string(16, '0'));
    traces.emplace(view_of(t));
    spans.emplace(view_of(s));
  }
  EXPECT_EQ(traces.size(), 1000u);
  EXPECT_EQ(spans.size(), 1000u);
}

TEST(TraceContextTest, ARequestJoinsTheCallersTraceWithItsOwnSpan) {
  const RequestTrace trace = RequestTrace::from_header(kValid);
  EXPECT_EQ(view_of(trace.trace_id), kTrace);
  ASSERT_TRUE(trace.parent_id);
  EXPECT_EQ(view_of(*trace.parent_id), kParent);
  EXPECT_NE(view_of(trace.span_id), kParent);
  const std::string answer = trace.traceparent();
  EXPECT_EQ(answer, std::string("00-") + kTrace + "-" + std::string(view_of(trace.span_id)) + "-01");
  // Only the sampled bit is passed on.
  const RequestTrace other_flags =
      RequestTrace::from_header(std::string("00-") + kTrace + "-" + kParent + "-fe");
  EXPECT_EQ(other_flags.traceparent().substr(53), "00");
}

TEST(TraceContextTest, AnInvalidOrMissingHeaderStartsANewTrace) {
  for (const std::string& header :
       {std::string(), std::string("garbage"), std::string("00-") + std::string(32, '0') + "-" + kParent + "-01"}) {
    const RequestTrace trace = RequestTrace::from_header(header);
    EXPECT_NE(view_of(trace.trace_id), kTrace);
    EXPECT_NE(std::string(view_of(trace.trace_id)), std::string(32, '0'));
    EXPECT_FALSE(trace.parent_id);
    EXPECT_EQ(trace.flags, 0);
    EXPECT_TRUE(parse_traceparent(trace.traceparent())) << trace.traceparent();
  }
}

}  // namespace
}  // namespace oeuvre::obs
