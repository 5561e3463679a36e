#pragma once
// FrequencySketch: how often keys were seen lately, approximately, in little memory; the admission
// filter of TinyLFU (Einziger, Friedman, Manes: "TinyLFU: A Highly Efficient Cache Admission
// Policy"). A count-min sketch: four rows of counters that saturate at 15, each key hashed to one
// counter per row; an increment raises only the key's smallest counters (conservative update) and
// an estimate is the smallest of its four. Collisions can make an estimate too high, never too low,
// until the sketch ages: after `sample_size()` increments every counter is halved, so popularity
// fades unless it is renewed.
// Thread-safety: external synchronisation needed (L1Cache keeps one per shard, under its mutex).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace oeuvre::cache {

class FrequencySketch {
 public:
  static constexpr int kMaxCount = 15;

  // `expected_keys`: about how many distinct keys the owner holds at once. Each row gets the next
  // power of two at or above it (at least 16) counters; the counters halve every 10 * that many
  // increments.
  explicit FrequencySketch(std::size_t expected_keys);

  // Counts one sighting of the key whose 64-bit hash is `key_hash`.
  void increment(std::uint64_t key_hash);
  // The key's estimated count since the last ageing, 0..kMaxCount.
  int estimate(std::uint64_t key_hash) const;
  // Forgets every count.
  void clear();

  std::size_t row_width() const { return row_mask_ + 1; }
  std::size_t sample_size() const { return sample_size_; }

 private:
  static constexpr int kRows = 4;

  std::size_t slot(std::uint64_t key_hash, int row) const;
  void age();

  std::size_t row_mask_;
  std::size_t sample_size_;
  std::size_t additions_ = 0;  // increments since the last ageing (halved with the counters)
  std::vector<std::uint8_t> counters_;  // kRows rows of row_width() counters, one after another
};

}  // namespace oeuvre::cache
