#include "core/json_writer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "core/uuid.h"

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

TEST(JsonWriterTest, EscapesEveryByteThatNeedsItAtAnyOffsetOfALongString) {
  // The escaper skips clean 8-byte words: each special byte is tried at every offset of a 40-byte
  // string, so it falls at each position of a word and in the byte-by-byte tail.
  const std::string specials[] = {"\"", "\\", std::string(1, '\0'), "\x01", "\x1f", "\n"};
  for (const std::string& special : specials) {
    for (std::size_t at = 0; at < 40; ++at) {
      std::string text(40, 'a');
      text.replace(at, 1, special);
      std::string out;
      JsonWriter w(out);
      w.begin_array().string(text).end_array();
      ASSERT_EQ(boost::json::parse(out).as_array().at(0).as_string(), text) << "offset " << at;
    }
  }
  // Bytes from 0x20 up, DEL and UTF-8 need no escape, in words or not.
  std::string plain;
  for (int c = 0x20; c < 0x7f; ++c) {
    if (c != '"' && c != '\\') plain += static_cast<char>(c);
  }
  plain += "\x7f\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  std::string out;
  JsonWriter(out).string(plain);
  EXPECT_EQ(out, '"' + plain + '"');
}

TEST(JsonWriterTest, KeysOfAnyLengthAndUuids) {
  const std::string long_key(100, 'k');
  const auto id = Uuid::parse("1b4e28ba-2fa1-11d2-883f-0016d3cca427");
  ASSERT_TRUE(id);
  std::string out;
  JsonWriter w(out);
  w.begin_object().key(long_key).uuid(*id).key("tab\tkey").begin_array().uuid(Uuid()).uuid(*id).end_array();
  w.end_object();
  EXPECT_EQ(out, "{\"" + long_key + "\":\"1b4e28ba-2fa1-11d2-883f-0016d3cca427\",\"tab\\tkey\":"
                 "[\"00000000-0000-0000-0000-000000000000\",\"1b4e28ba-2fa1-11d2-883f-0016d3cca427\"]}");
  EXPECT_NO_THROW((void)boost::json::parse(out));
}

}  // namespace
}  // namespace oeuvre
