#include "observability/metrics.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace oeuvre::obs {
namespace {

TEST(MetricsTest, MethodLabelsAreBounded) {
  for (const char* method :
       {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"}) {
    EXPECT_EQ(method_label(method), method);
  }
  const std::vector<std::string> made_up = {"M000123", "get",  "PROPFIND",
                                            "",        "GET ", std::string(100, 'G')};
  for (const std::string& method : made_up) EXPECT_EQ(method_label(method), "other") << method;
}

TEST(MetricsTest, AMadeUpMethodIsCountedAsOther) {
  Metrics metrics;
  for (int i = 0; i < 50; ++i) {
    metrics.observe_request("M" + std::to_string(i), "unmatched", 404, 0.001);
  }
  const std::string text = metrics.serialize();
  EXPECT_EQ(text.find("method=\"M"), std::string::npos);
  EXPECT_NE(
      text.find(R"(oeuvre_http_requests_total{method="other",route="unmatched",status="404"} 50)"),
      std::string::npos)
      << text;
}

}  // namespace
}  // namespace oeuvre::obs
