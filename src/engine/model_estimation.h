#pragma once
// estimate_model(): a Fellegi–Sunter model (match_model.h) for a scorer's applied rules, learned
// from the records it is bound to, the way Splink estimates one:
//   u  from pairs drawn at random (almost all of them unrelated records), the top level of
//      equality-like rules counted exactly from the frequency of each value (an invoice number
//      that two random records share is too rare for a sample to see);
//   m  by expectation–maximisation over pairs that agree on one key (an equal reference, an equal
//      amount, an equal blocking value): with u held fixed, EM finds the share of matches among
//      them and how often matches fall in each level of every other rule. One EM session per key;
//      each rule's m is the average of the sessions in which it was not the key, weighted by the
//      matches each session found. A rule only ever used as the key keeps default m values.
//   prior  the matches a session found divided by its key's recall (the m of its top level and
//      how often its values are present), the median over the sessions, over all pairs.
// Deterministic: the same records give the same model, whatever the thread count.
// Thread-safety: reads the scorer only.

#include <atomic>
#include <cstddef>

#include "engine/match_model.h"
#include "engine/pair_scorer.h"

namespace oeuvre::engine {

// Random pairs sampled for u.
inline constexpr std::size_t kModelSamplePairs = 1 << 15;
// Pairs an EM session gathers at most (left records are taken at a stride beyond it).
inline constexpr std::size_t kModelSessionPairs = 1 << 16;
// A key value that more than this many records of either side share is skipped in its session:
// it says little about which pairs match and would make the session quadratic.
inline constexpr std::size_t kModelMaxBlock = 64;

// `keys`: scorer.value_keys(). Once `*cancel` is set (a cancelled job), the estimate stops
// between its steps and returns what it has: the caller discards it.
MatchModel estimate_model(const PairScorer& scorer, const ValueKeys& keys, std::size_t left_size,
                          std::size_t right_size, int threads,
                          const std::atomic<bool>* cancel = nullptr);

}  // namespace oeuvre::engine
