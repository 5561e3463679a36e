#include "engine/word_index.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "engine/parallel_for.h"

namespace oeuvre::engine {

WordIndex::WordIndex(std::vector<WordPosting> postings, int threads)
    : postings_(std::move(postings)) {
  parallel_sort(postings_, threads, std::less<WordPosting>());
  for (std::size_t i = 0; i < postings_.size();) {
    std::size_t j = i;
    while (j < postings_.size() && postings_[j].hash == postings_[i].hash) ++j;
    runs_.push_back(
        {postings_[i].hash, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)});
    i = j;
  }
  std::size_t capacity = 16;
  while (capacity < runs_.size() * 2) capacity *= 2;
  mask_ = capacity - 1;
  slots_.assign(capacity, kEmpty);
  for (std::uint32_t r = 0; r < runs_.size(); ++r) {
    std::size_t i = slot_of(runs_[r].hash);
    while (slots_[i] != kEmpty) i = (i + 1) & mask_;
    slots_[i] = r;
  }
}

std::span<const WordPosting> WordIndex::find(std::uint64_t hash, std::int32_t from,
                                             std::int32_t to) const {
  for (std::size_t i = slot_of(hash); slots_[i] != kEmpty; i = (i + 1) & mask_) {
    const Run& run = runs_[slots_[i]];
    if (run.hash != hash) continue;
    auto first = postings_.begin() + run.begin, last = postings_.begin() + run.end;
    auto lo = std::lower_bound(first, last, from,
                               [](const WordPosting& p, std::int32_t d) { return p.date < d; });
    auto hi = std::upper_bound(lo, last, to,
                               [](std::int32_t d, const WordPosting& p) { return d < p.date; });
    return std::span<const WordPosting>(&*postings_.begin() + (lo - postings_.begin()),
                                        static_cast<std::size_t>(hi - lo));
  }
  return {};
}

}  // namespace oeuvre::engine
