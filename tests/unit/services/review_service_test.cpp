#include "services/review_service.h"

#include <gtest/gtest.h>

namespace oeuvre::services {
namespace {

// What a reopened result goes back to: the engine's own rule (at least the job's threshold and not
// held is matched), whatever status a reviewer or auto_confirm gave it since.
TEST(EngineStatus, MatchedAtOrAboveTheThresholdUnlessHeld) {
  EXPECT_EQ(engine_status(0.93, "", 0.8), ResultStatus::kMatched);
  EXPECT_EQ(engine_status(0.8, "", 0.8), ResultStatus::kMatched) << "the threshold itself matches";
  EXPECT_EQ(engine_status(0.7999999, "", 0.8), ResultStatus::kSuggested);
  EXPECT_EQ(engine_status(0.65, "", 0.6), ResultStatus::kMatched) << "the job's threshold decides";
  EXPECT_EQ(engine_status(1.0, "", 1.0), ResultStatus::kMatched);
  EXPECT_EQ(engine_status(0.0, "", 0.0), ResultStatus::kMatched);
  for (const char* held : {"ambiguous", "amount_difference", "partly_paid", "sum_only"}) {
    EXPECT_EQ(engine_status(0.99, held, 0.8), ResultStatus::kSuggested) << held;
  }
}

}  // namespace
}  // namespace oeuvre::services
