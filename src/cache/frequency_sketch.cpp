#include "cache/frequency_sketch.h"

#include <algorithm>
#include <bit>

namespace oeuvre::cache {
namespace {

// SplitMix64's finaliser: every input bit affects every output bit.
std::uint64_t mix(std::uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// One seed per row, so the rows hash a key independently.
constexpr std::uint64_t kRowSeeds[] = {0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL,
                                       0x165667b19e3779f9ULL, 0xd6e8feb86659fd93ULL};

}  // namespace

FrequencySketch::FrequencySketch(std::size_t expected_keys)
    : row_mask_(std::bit_ceil(std::max<std::size_t>(expected_keys, 16)) - 1),
      sample_size_(10 * std::max<std::size_t>(expected_keys, 16)),
      counters_(kRows * (row_mask_ + 1), 0) {}

std::size_t FrequencySketch::slot(std::uint64_t key_hash, int row) const {
  return static_cast<std::size_t>(row) * (row_mask_ + 1) +
         static_cast<std::size_t>(mix(key_hash + kRowSeeds[row]) & row_mask_);
}

void FrequencySketch::increment(std::uint64_t key_hash) {
  std::size_t slots[kRows];
  int least = kMaxCount;
  for (int row = 0; row < kRows; ++row) {
    slots[row] = slot(key_hash, row);
    least = std::min<int>(least, counters_[slots[row]]);
  }
  if (least == kMaxCount) return;
  for (std::size_t s : slots) {
    if (counters_[s] == least) ++counters_[s];
  }
  if (++additions_ >= sample_size_) age();
}

int FrequencySketch::estimate(std::uint64_t key_hash) const {
  int least = kMaxCount;
  for (int row = 0; row < kRows; ++row)
    least = std::min<int>(least, counters_[slot(key_hash, row)]);
  return least;
}

void FrequencySketch::clear() {
  std::fill(counters_.begin(), counters_.end(), 0);
  additions_ = 0;
}

void FrequencySketch::age() {
  for (std::uint8_t& counter : counters_) counter = static_cast<std::uint8_t>(counter >> 1);
  additions_ /= 2;
}

}  // namespace oeuvre::cache
