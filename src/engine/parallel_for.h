#pragma once
// Internal: runs body(begin, end, worker) over [0, n) split into `threads` contiguous ranges,
// worker 0 on the calling thread. Ranges are fixed by n and threads only, so results gathered per
// worker and concatenated in worker order do not depend on scheduling. Thread-safety: `body` must
// be safe to run concurrently on disjoint ranges.

#include <algorithm>
#include <cstddef>
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

}  // namespace oeuvre::engine
