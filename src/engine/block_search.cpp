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
// blocks that hold it, in time linear in their sizes.
//
// Each shared key is evidence weighed by how rare it is, log2(right records / block size) (in
// sixteenths): an identifier held by one record says much more than a postcode held by a thousand.
// Of the candidates those with the most evidence, then the most alike by word sketch, are scored
// (at most kMaxScoredBlockCandidates, candidate_search.cpp), and the best
// max_candidates_per_record of them above review_threshold are kept for the assignment.

#include <algorithm>
#include <array>
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
  s.hits.clear();
  const auto& blocking = scorer_.blocking_rules();
  struct Common {
    int rule;
    std::span<const KeyEntry> block;
    std::uint32_t evidence;
  };
  std::array<Common, kMaxFieldRules> common;
  std::size_t common_count = 0;
  for (std::size_t b = 0; b < blocking.size(); ++b) {
    const std::string_view key = scorer_.key(true, blocking[b], l);
    if (key.empty()) continue;
    const std::span<const KeyEntry> block = whole_block(b, key);
    if (block.empty()) continue;
    const std::uint32_t weight = key_evidence(block.size(), right_.size());
    if (block.size() <= kMaxKeyBlockSize) {
      for (const KeyEntry& e : block) {
        if (scorer_.key(false, blocking[b], e.index) == key) s.hits.push_back({e.index, weight});
      }
    } else if (block.size() <= kMaxIntersectedBlockSize) {
      common[common_count++] = {blocking[b], block, weight};
    }
  }
  if (common_count >= 2) {
    // Per right record, the common blocks holding it; the count is stamped with the left record,
    // so the arrays are never cleared.
    if (s.stamp.size() != right_.size()) {
      s.stamp.assign(right_.size(), 0);
      s.count.assign(right_.size(), 0);
    }
    const std::uint32_t stamp = l + 1;
    s.found.clear();
    for (std::size_t k = 0; k < common_count; ++k) {
      for (const KeyEntry& e : common[k].block) {
        if (s.stamp[e.index] != stamp) {
          s.stamp[e.index] = stamp;
          s.count[e.index] = 0;
        }
        if (++s.count[e.index] == 2) s.found.push_back(e.index);
      }
    }
    // Equal hashes so far: the keys themselves decide, and two must be equal.
    for (const std::uint32_t r : s.found) {
      std::size_t shared = 0;
      std::uint32_t weight = 0;
      for (std::size_t k = 0; k < common_count; ++k) {
        if (scorer_.key(false, common[k].rule, r) != scorer_.key(true, common[k].rule, l)) continue;
        ++shared;
        weight += common[k].evidence;
      }
      if (shared >= 2) s.hits.push_back({r, weight});
    }
  }
  // Each right record once, with the evidence of every key it shares.
  std::sort(s.hits.begin(), s.hits.end());
  for (const auto& [r, weight] : s.hits) {
    if (!out.empty() && out.back() == r) {
      evidence.back() += weight;
    } else {
      out.push_back(r);
      evidence.push_back(weight);
    }
  }
}

}  // namespace oeuvre::engine
