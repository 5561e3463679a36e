#include "http/strict_json.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace oeuvre::http {
namespace {

std::string refusal(std::string_view text, std::size_t max_depth = 32) {
  auto parsed = parse_strict_json(text, max_depth);
  EXPECT_FALSE(parsed.ok()) << text;
  if (parsed.ok()) return {};
  EXPECT_EQ(parsed.error().code(), ErrorCode::kBadRequest);
  return parsed.error().message();
}

TEST(StrictJsonTest, ParsesLikeBoostJson) {
  for (const char* text :
       {R"({"a":1,"b":[1,2.5,-3,18446744073709551615],"c":{"d":null,"e":true,"f":"x\u00e9"}})",
        R"([{"a":1},{"a":2}])", R"({"a":{"a":{"a":1}}})", "\"s\"", "0", "[]", "{}",
        R"({"long key )"
        "with \\\" escapes\":\"and a long value\"}"}) {
    SCOPED_TRACE(text);
    auto parsed = parse_strict_json(text, 32);
    ASSERT_TRUE(parsed.ok()) << parsed.error().message();
    EXPECT_EQ(boost::json::serialize(*parsed), boost::json::serialize(boost::json::parse(text)));
  }
}

TEST(StrictJsonTest, ARepeatedKeyIsRefusedAtAnyDepth) {
  EXPECT_NE(refusal(R"({"name":"a","name":"b"})").find("\"name\" appears twice"),
            std::string::npos);
  EXPECT_NE(refusal(R"({"name":"a","n\u0061me":"b"})").find("\"name\""), std::string::npos);
  EXPECT_NE(refusal(R"({"rules":{"fields":[{"x":1,"y":2,"x":3}]}})").find("\"x\""),
            std::string::npos);
  EXPECT_NE(refusal(R"([1,{"a":{"b":1},"a":2}])").find("\"a\""), std::string::npos);
  // Once an inner object closed, its keys are its own: the outer "b" is the repeat.
  EXPECT_NE(refusal(R"({"a":{"b":1},"b":2,"b":3})").find("\"b\""), std::string::npos);
  // A long repeated key is named cut short.
  const std::string key(500, 'k');
  EXPECT_LT(refusal("{\"" + key + "\":1,\"" + key + "\":2}").size(), 200u);
}

TEST(StrictJsonTest, TheSameKeyInDifferentObjectsIsFine) {
  EXPECT_TRUE(parse_strict_json(R"({"a":{"a":1},"b":{"a":2}})", 32).ok());
  EXPECT_TRUE(parse_strict_json(R"([{"a":1},{"a":1}])", 32).ok());
}

TEST(StrictJsonTest, MalformedDeepOrTrailingTextIsRefused) {
  EXPECT_NE(refusal(R"({"a":)").find("not valid JSON"), std::string::npos);
  EXPECT_NE(refusal(R"({"a":1} x)").find("not valid JSON"), std::string::npos);
  EXPECT_NE(refusal(R"({"a":1}{"a":1})").find("not valid JSON"), std::string::npos);
  EXPECT_NE(refusal(std::string(33, '[') + std::string(33, ']')).find("not valid JSON"),
            std::string::npos);
  EXPECT_TRUE(parse_strict_json(std::string(32, '[') + std::string(32, ']'), 32).ok());
  EXPECT_FALSE(parse_strict_json("", 32).ok());
  EXPECT_FALSE(parse_strict_json("{\"a\":\"\xFF\"}", 32).ok());
}

}  // namespace
}  // namespace oeuvre::http
