#include "cache/frequency_sketch.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <string>

namespace oeuvre::cache {
namespace {

std::uint64_t hash_of(const std::string& key) { return std::hash<std::string>{}(key); }

TEST(FrequencySketchTest, CountsHowOftenAKeyWasSeen) {
  FrequencySketch sketch(1024);
  EXPECT_EQ(sketch.estimate(hash_of("a")), 0);
  for (int i = 0; i < 5; ++i) sketch.increment(hash_of("a"));
  sketch.increment(hash_of("b"));
  EXPECT_EQ(sketch.estimate(hash_of("a")), 5);
  EXPECT_EQ(sketch.estimate(hash_of("b")), 1);
  EXPECT_EQ(sketch.estimate(hash_of("never seen")), 0);
}

TEST(FrequencySketchTest, CountsSaturateAtFifteen) {
  FrequencySketch sketch(1024);
  for (int i = 0; i < 100; ++i) sketch.increment(hash_of("a"));
  EXPECT_EQ(sketch.estimate(hash_of("a")), FrequencySketch::kMaxCount);
}

TEST(FrequencySketchTest, EveryCountHalvesAfterTheSampleSizeOfIncrements) {
  FrequencySketch sketch(16);
  ASSERT_EQ(sketch.row_width(), 16u);
  ASSERT_EQ(sketch.sample_size(), 160u);
  for (int i = 0; i < 8; ++i) sketch.increment(hash_of("hot"));
  EXPECT_EQ(sketch.estimate(hash_of("hot")), 8);
  // Distinct keys until the sample is complete; the last one ages the sketch.
  for (int i = 0; i < 152; ++i) sketch.increment(hash_of("key " + std::to_string(i)));
  EXPECT_LE(sketch.estimate(hash_of("hot")), 7);
  EXPECT_GE(sketch.estimate(hash_of("hot")), 4);
}

TEST(FrequencySketchTest, ClearForgetsEveryCount) {
  FrequencySketch sketch(64);
  sketch.increment(hash_of("a"));
  sketch.clear();
  EXPECT_EQ(sketch.estimate(hash_of("a")), 0);
}

}  // namespace
}  // namespace oeuvre::cache
