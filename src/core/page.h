#pragma once
// Page requests and pages of results: the vocabulary shared by the store (LIMIT/OFFSET), the
// services and the HTTP layer (query parameters, page envelopes).
// Thread-safety: plain values.

#include <cstdint>
#include <vector>

namespace oeuvre {

// 1-based page with a bounded size (validated by the HTTP layer's read_page).
struct PageRequest {
  int page = 1;
  int per_page = 20;
  std::int64_t offset() const { return static_cast<std::int64_t>(page - 1) * per_page; }
};

// One page of items and the total count of items over all pages.
template <class T>
struct PageResult {
  std::vector<T> items;
  std::int64_t total = 0;
};

}  // namespace oeuvre
