#include "core/json_text.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <limits>
#include <string>

#include "core/json_writer.h"

namespace oeuvre {
namespace {

std::string number_text(double d) {
  std::string out;
  append_json_number(out, d);
  return out;
}

TEST(JsonNumberTest, DoublesPrintAsPeopleWriteThem) {
  EXPECT_EQ(number_text(0.8), "0.8");
  EXPECT_EQ(number_text(1.0), "1");
  EXPECT_EQ(number_text(100.0), "100");
  EXPECT_EQ(number_text(0.95), "0.95");
  EXPECT_EQ(number_text(-2.5), "-2.5");
  EXPECT_EQ(number_text(1234567.125), "1234567.125");
  EXPECT_EQ(number_text(1e20), "100000000000000000000");
  EXPECT_EQ(number_text(0.000001), "0.000001");
}

TEST(JsonNumberTest, TheShortestTextThatReadsBackAsTheSameDouble) {
  EXPECT_EQ(number_text(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(number_text(1.0 / 3.0), "0.3333333333333333");
  for (double d : {0.1 + 0.2, 1.0 / 3.0, 2.0 / 3.0 * 1e-5, 123456.789e3, -9007199254740993.0,
                   5e-324, 1.7e308}) {
    SCOPED_TRACE(d);
    EXPECT_EQ(std::strtod(number_text(d).c_str(), nullptr), d);
  }
}

TEST(JsonNumberTest, ExponentFormOnlyForVerySmallAndVeryLargeMagnitudes) {
  EXPECT_EQ(number_text(1e-7), "1e-7");
  EXPECT_EQ(number_text(-2.5e-7), "-2.5e-7");
  EXPECT_EQ(number_text(1e21), "1e+21");
  EXPECT_EQ(number_text(1.5e300), "1.5e+300");
  EXPECT_EQ(number_text(5e-324), "5e-324");
}

TEST(JsonNumberTest, ZeroOfEitherSignIsZeroAndNonFiniteIsNull) {
  EXPECT_EQ(number_text(0.0), "0");
  EXPECT_EQ(number_text(-0.0), "0");
  EXPECT_EQ(number_text(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(number_text(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(number_text(-std::numeric_limits<double>::infinity()), "null");
}

TEST(JsonTextTest, DoublesInADocumentUseTheSameFormatter) {
  const boost::json::value doc = {{"confidence_threshold", 0.8},
                                  {"review_threshold", 0.5},
                                  {"weight", 1.0},
                                  {"progress", 100.0},
                                  {"tiny", 1e-7}};
  EXPECT_EQ(
      to_json_text(doc),
      R"({"confidence_threshold":0.8,"review_threshold":0.5,"weight":1,"progress":100,"tiny":1e-7})");
  EXPECT_NE(boost::json::serialize(doc), to_json_text(doc))
      << "Boost.JSON's own serializer writes 8E-1";
}

TEST(JsonTextTest, EveryKindOfValueAsBoostJsonWritesIt) {
  boost::json::object doc;
  doc["null"] = nullptr;
  doc["yes"] = true;
  doc["no"] = false;
  doc["int"] = std::int64_t{-42};
  doc["min"] = std::numeric_limits<std::int64_t>::min();
  doc["big"] = std::numeric_limits<std::uint64_t>::max();
  doc["text"] = "q\"b\\n\n\x01é€";
  doc["list"] = boost::json::array{1, "two", boost::json::array{}, boost::json::object{}};
  doc["nested"] = boost::json::object{{"k\"ey", boost::json::array{nullptr}}};
  const std::string text = to_json_text(doc);
  EXPECT_EQ(text, boost::json::serialize(doc)) << "no doubles: identical to Boost.JSON";
  EXPECT_EQ(boost::json::parse(text), boost::json::value(doc));
}

}  // namespace
}  // namespace oeuvre
