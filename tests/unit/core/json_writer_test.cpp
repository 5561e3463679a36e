#include "core/json_writer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <limits>

namespace oeuvre {
namespace {

TEST(JsonWriterTest, NestedObjectsAndArraysGetCommasAndColons) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("a").number(std::int64_t{1});
  w.key("list").begin_array().number(std::int64_t{-2}).string("x").begin_object().end_object().begin_array().end_array();
  w.null().boolean(true).boolean(false).end_array();
  w.key("inner").begin_object().key("k").raw(R"({"z":[1,2]})").end_object();
  w.key("last").string("");
  w.end_object();
  EXPECT_EQ(out, R"({"a":1,"list":[-2,"x",{},[],null,true,false],"inner":{"k":{"z":[1,2]}},"last":""})");
  EXPECT_NO_THROW((void)boost::json::parse(out));
}

TEST(JsonWriterTest, EscapesQuotesBackslashesAndControlCharactersAndKeepsUtf8) {
  std::string out;
  JsonWriter w(out);
  const std::string text = std::string("q\"b\\n\nr\rt\tb\bf\f") + '\x01' + '\x1f' + "é€";
  w.begin_object().key("k\"ey").string(text).end_object();
  EXPECT_EQ(out, "{\"k\\\"ey\":\"q\\\"b\\\\n\\nr\\rt\\tb\\bf\\f\\u0001\\u001fé€\"}");
  EXPECT_EQ(boost::json::parse(out).at("k\"ey").as_string(), text);
}

TEST(JsonWriterTest, DoublesRoundTripInShortestFormAndNonFiniteIsNull) {
  std::string out;
  JsonWriter w(out);
  w.begin_array().number(0.95).number(1.0).number(0.1 + 0.2).number(1e-7);
  w.number(std::numeric_limits<double>::quiet_NaN()).number(std::numeric_limits<double>::infinity()).end_array();
  EXPECT_EQ(out.substr(0, 10), "[0.95,1,0.");
  const boost::json::array parsed = boost::json::parse(out).as_array();
  ASSERT_EQ(parsed.size(), 6u);
  EXPECT_EQ(parsed[2].to_number<double>(), 0.1 + 0.2);
  EXPECT_EQ(parsed[3].to_number<double>(), 1e-7);
  EXPECT_TRUE(parsed[4].is_null());
  EXPECT_TRUE(parsed[5].is_null());
}

TEST(JsonWriterTest, IntegersAtTheLimits) {
  std::string out;
  JsonWriter w(out);
  w.begin_array().number(std::numeric_limits<std::int64_t>::min()).number(std::numeric_limits<std::int64_t>::max());
  w.end_array();
  EXPECT_EQ(out, "[-9223372036854775808,9223372036854775807]");
}

}  // namespace
}  // namespace oeuvre
