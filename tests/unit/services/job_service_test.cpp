#include "services/job_service.h"

#include <gtest/gtest.h>

namespace oeuvre::services {
namespace {

TEST(ResultIds, RoundTripAndRejectAnythingElse) {
  const std::vector<Uuid> ids{Uuid::generate_v7(), Uuid::generate_v4()};
  const std::string text = store::ids_to_json(ids);
  auto back = store::ids_from_json(text);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(*back, ids);
  EXPECT_EQ(store::ids_from_json("[]").value().size(), 0u);
  // PostgreSQL's jsonb text puts a space after commas.
  auto spaced = store::ids_from_json("[\"" + ids[0].to_string() + "\", \"" + ids[1].to_string() + "\"]");
  ASSERT_TRUE(spaced.has_value());
  EXPECT_EQ(*spaced, ids);
  for (const char* bad : {"", "[", "[1]", "[\"nope\"]", "{}", "[\"01a22615-a8a5-7e4a-9c07-275e65ca2e5\"]"}) {
    EXPECT_FALSE(store::ids_from_json(bad).has_value()) << bad;
  }
}

TEST(ResultCursor, RoundTripsExactlyAndRejectsForgeries) {
  const store::ResultCursor cursor{0.1 + 0.2, Uuid::generate_v7()};
  auto back = decode_result_cursor(encode_result_cursor(cursor));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->confidence, cursor.confidence);  // bit for bit: the keyset compares equality
  EXPECT_EQ(back->id, cursor.id);
  const std::string long_text(200, 'A');
  for (const std::string& bad : {std::string(), std::string("zzz"), std::string("MC41"),
                                 std::string("bm9wZXxub3BlCg"), long_text}) {
    EXPECT_FALSE(decode_result_cursor(bad).has_value()) << bad;
  }
}

TEST(ResultStatusFilter, MapsTheApiStatusesToStoredOnes) {
  EXPECT_EQ(result_status_filter("matched")->status, ResultStatus::kMatched);
  EXPECT_FALSE(result_status_filter("matched")->kind.has_value());
  EXPECT_EQ(result_status_filter("unmatched_left")->status, ResultStatus::kUnmatched);
  EXPECT_EQ(result_status_filter("unmatched_left")->kind, "unmatched_left");
  EXPECT_EQ(result_status_filter("unmatched")->status, ResultStatus::kUnmatched);
  EXPECT_FALSE(result_status_filter("MATCHED").has_value());
  EXPECT_FALSE(result_status_filter("").has_value());
}

}  // namespace
}  // namespace oeuvre::services
