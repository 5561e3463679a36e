// Candidates from the blocking rules alone: without an amount rule (customer or person records:
// names, addresses, birth dates, identifiers) they are the only source of candidates, one exact
// pass. A left record's candidates are the rights sharing a key with it on any blocking rule (a
// surname, a birth date, a postcode, an identifier).
//
// Bounded per record, whatever the data: a key that more than kMaxKeyBlockSize right records share
// -- a frequent given name, surname or postcode -- tells nobody apart alone, so its block is not
// taken whole and one common value cannot make the search quadratic. Such common blocks (up to
// kMaxIntersectedBlockSize records; larger ones are not looked at) are intersected instead: the
// rights in two or more of the left record's common blocks (a common given name and a common
// surname, a surname and a postcode) are candidates, found by counting per right record the common
// blocks that hold it (a per-thread array stamped with the left record), in time linear in their
// sizes.
//
// Each shared key is evidence weighed by how rare it is, log2(right records / block size) (in
// sixteenths): an identifier held by one record says much more than a postcode held by a thousand.
// Of the candidates those with the most evidence, then the most alike by word sketch, are scored
// (at most kMaxScoredBlockCandidates, candidate_search.cpp), and the best
// max_candidates_per_record of them above review_threshold are kept for the assignment.

#include <algorithm>
#include <cmath>

#include "engine/reconciliation.h"

namespace oeuvre::engine {
namespace {

// Common blocks larger than this are not intersected either: they are skipped.
constexpr std::size_t kMaxIntersectedBlockSize = 4096;

// The evidence of sharing a key that `block_size` of `records` right records hold, in sixteenths of
// a bit (at least 1).
std::uint32_t key_evidence(std::size_t block_size, std::size_t records) {
  const double bits = std::log2(static_cast<double>(records + 1) / static_cast<double>(block_size));
  return std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::lround(16 * bits)));
}

}  // namespace

void Reconciliation::block_candidates(std::uint32_t l, BlockScratch& s,
                                      std::vector<std::uint32_t>& out,
                                      std::vector<std::uint32_t>& evidence) const {
  out.clear();
  evidence.clear();
  if (s.stamp.size() != right_.size()) {
    s.stamp.assign(right_.size(), 0);
    s.tally.assign(right_.size(), {});
  }
  // Per right record, the evidence of the keys it shares with l and whether it is in one of l's
  // small blocks or in how many of its common ones; stamped with l, so never cleared. Blocks are
  // keyed by a 64-bit hash of the key: two keys sharing one are vanishingly rare, and would only
  // add a candidate to score.
  const std::uint32_t stamp = l + 1;
  s.touched.clear();
  auto tally = [&](std::uint32_t r) -> BlockScratch::Tally& {
    if (s.stamp[r] != stamp) {
      s.stamp[r] = stamp;
      s.tally[r] = {};
      s.touched.push_back(r);
    }
    return s.tally[r];
  };
  const auto& blocking = scorer_.blocking_rules();
  for (std::size_t b = 0; b < blocking.size(); ++b) {
    const std::string_view key = scorer_.key(true, blocking[b], l);
    if (key.empty()) continue;
    const std::span<const KeyEntry> block = whole_block(b, key);
    if (block.empty() || block.size() > kMaxIntersectedBlockSize) continue;
    const std::uint32_t weight = key_evidence(block.size(), right_.size());
    const bool small = block.size() <= kMaxKeyBlockSize;
    for (const KeyEntry& e : block) {
      BlockScratch::Tally& t = tally(e.index);
      t.evidence += weight;
      if (small) {
        t.small = true;
      } else if (t.common < 255) {
        ++t.common;
      }
    }
  }
  for (const std::uint32_t r : s.touched) {
    const BlockScratch::Tally& t = s.tally[r];
    if (!t.small && t.common < 2) continue;
    out.push_back(r);
    evidence.push_back(t.evidence);
  }
}

}  // namespace oeuvre::engine
