#pragma once
// Internal: runs body(begin, end, worker) over [0, n) split into `threads` contiguous ranges,
// worker 0 on the calling thread. Ranges are fixed by n and threads only, so results gathered per
// worker and concatenated in worker order do not depend on scheduling. Thread-safety: `body` must
// be safe to run concurrently on disjoint ranges.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <thread>
#include <vector>

namespace oeuvre::engine {

template <class Body>
void parallel_for(std::size_t n, int threads, Body&& body) {
  std::size_t workers = static_cast<std::size_t>(std::max(1, threads));
  if (n < 4096) workers = 1;
  workers = std::min(workers, std::max<std::size_t>(1, n));
  const std::size_t step = (n + workers - 1) / std::max<std::size_t>(1, workers);
  std::vector<std::thread> pool;
  for (std::size_t w = 1; w < workers; ++w) {
    const std::size_t begin = std::min(n, w * step), end = std::min(n, (w + 1) * step);
    pool.emplace_back([&body, begin, end, w] { body(begin, end, w); });
  }
  body(0, std::min(n, step), std::size_t{0});
  for (auto& t : pool) t.join();
}

// How many ranges parallel_for(n, threads, ...) uses.
inline std::size_t parallel_workers(std::size_t n, int threads) {
  std::size_t workers = static_cast<std::size_t>(std::max(1, threads));
  if (n < 4096) workers = 1;
  return std::min(workers, std::max<std::size_t>(1, n));
}

// Sorts `values` by `less` like std::sort, with the contiguous ranges of parallel_for sorted
// concurrently and then merged. REQUIRES: `less` is a strict weak order under which equivalent
// elements are identical (a total order on distinct values, e.g. ending with an index), so the
// result does not depend on the thread count.
template <class T, class Less>
void parallel_sort(std::vector<T>& values, int threads, Less less) {
  const std::size_t n = values.size();
  const std::size_t workers = parallel_workers(n, threads);
  if (workers <= 1) {
    std::sort(values.begin(), values.end(), less);
    return;
  }
  std::vector<std::size_t> bounds(workers + 1, n);
  parallel_for(n, threads, [&](std::size_t begin, std::size_t end, std::size_t worker) {
    bounds[worker] = begin;
    if (worker + 1 == workers) bounds[workers] = end;
    std::sort(values.begin() + static_cast<std::ptrdiff_t>(begin),
              values.begin() + static_cast<std::ptrdiff_t>(end), less);
  });
  // Merge neighbouring sorted ranges until one is left.
  std::vector<T> merged(n);
  for (std::size_t width = 1; width < workers; width *= 2) {
    for (std::size_t k = 0; k < workers; k += 2 * width) {
      const std::size_t first = bounds[k], middle = bounds[std::min(workers, k + width)],
                        last = bounds[std::min(workers, k + 2 * width)];
      std::merge(values.begin() + static_cast<std::ptrdiff_t>(first),
                 values.begin() + static_cast<std::ptrdiff_t>(middle),
                 values.begin() + static_cast<std::ptrdiff_t>(middle),
                 values.begin() + static_cast<std::ptrdiff_t>(last),
                 merged.begin() + static_cast<std::ptrdiff_t>(first), less);
    }
    values.swap(merged);
  }
}

// What propose_in_rounds' `take` did with a proposal.
enum class Offer {
  kTaken,    // accepted
  kRetry,    // refused (something it wanted was taken by a better one): propose again next round
  kDropped,  // refused, and its item is done (taken meanwhile)
};

// Rounds of proposals accepted best first, the engine's one way to choose among competing groups:
// in each round every open item proposes at most one Proposal, in parallel over the items (nothing
// is taken meanwhile, so scheduling does not matter; each worker range gets a fresh Scratch);
// the proposals are offered to `take` by descending confidence, ties by ascending item; the items
// `take` asked to retry propose again in the next round, at most `rounds` rounds.
// Proposal: has `double confidence` and `std::uint32_t item`.
// propose(std::uint32_t item, Scratch&, Proposal&) -> bool (false: nothing to propose).
// take(Proposal&) -> Offer.
template <class Proposal, class Scratch, class Propose, class Take>
void propose_in_rounds(std::vector<std::uint32_t> open, int rounds, int threads, Propose&& propose,
                       Take&& take) {
  for (int round = 0; round < rounds && !open.empty(); ++round) {
    std::vector<std::vector<Proposal>> proposals(parallel_workers(open.size(), threads));
    parallel_for(open.size(), threads, [&](std::size_t begin, std::size_t end, std::size_t worker) {
      Scratch scratch;
      for (std::size_t k = begin; k < end; ++k) {
        Proposal proposal;
        if (propose(open[k], scratch, proposal)) proposals[worker].push_back(std::move(proposal));
      }
    });
    std::vector<Proposal> all;
    for (auto& worker : proposals) {
      for (auto& p : worker) all.push_back(std::move(p));
    }
    std::sort(all.begin(), all.end(), [](const Proposal& a, const Proposal& b) {
      if (a.confidence != b.confidence) return a.confidence > b.confidence;
      return a.item < b.item;
    });
    std::vector<std::uint32_t> retry;
    for (Proposal& p : all) {
      if (take(p) == Offer::kRetry) retry.push_back(p.item);
    }
    std::sort(retry.begin(), retry.end());
    open = std::move(retry);
  }
}

}  // namespace oeuvre::engine
