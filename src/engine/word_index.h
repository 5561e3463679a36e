#pragma once
// Internal: WordIndex, the words of the records still open for grouping, looked up by word and date
// window. Group search (group_search.cpp) finds the parts of a group through the words they share
// with its target.
// Thread-safety: after construction, const methods are safe for concurrent use.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace oeuvre::engine {

// A word of a record still open for grouping, by word hash then date. The record's amount, date
// and currency travel with it, so filtering parts reads the postings in order instead of three
// arrays at random.
struct WordPosting {
  std::uint64_t hash;
  std::int64_t amount;
  std::int32_t date;
  std::uint32_t index;
  std::int32_t currency;
  bool operator<(const WordPosting& o) const {
    if (hash != o.hash) return hash < o.hash;
    if (date != o.date) return date < o.date;
    return index < o.index;
  }
};

// Word postings sorted by (hash, date), with an open-addressing table from a word's hash to its
// run, so a lookup costs one probe instead of a binary search over millions of postings.
class WordIndex {
 public:
  // Sorts `postings` using up to `threads` threads and builds the lookup table.
  WordIndex(std::vector<WordPosting> postings, int threads);

  bool empty() const { return postings_.empty(); }

  // The postings of the word with hash `hash` dated in [from, to].
  std::span<const WordPosting> find(std::uint64_t hash, std::int32_t from, std::int32_t to) const;

 private:
  struct Run {
    std::uint64_t hash;
    std::uint32_t begin, end;
  };
  static constexpr std::uint32_t kEmpty = UINT32_MAX;
  std::size_t slot_of(std::uint64_t hash) const {
    return static_cast<std::size_t>((hash * 0x9E3779B97F4A7C15ULL) >> 17) & mask_;
  }

  std::vector<WordPosting> postings_;
  std::vector<Run> runs_;
  std::vector<std::uint32_t> slots_;
  std::size_t mask_ = 0;
};

}  // namespace oeuvre::engine
