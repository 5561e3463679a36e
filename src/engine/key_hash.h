#pragma once
// Internal: how the reconciliation indexes words and keys. A word or key is represented by its
// 64-bit hash; an index sorts (hash, record) entries and finds a key's records by binary search,
// comparing the keys themselves where a collision would matter.
// Thread-safety: pure functions and value types.

#include <cstdint>
#include <functional>
#include <string_view>

namespace oeuvre::engine {

// The hash of a word or key, the same for equal strings within one process.
inline std::uint64_t hash_of(std::string_view s) { return std::hash<std::string_view>{}(s); }

// A record indexed under a key's hash; sorted by hash, then record index.
struct KeyEntry {
  std::uint64_t hash;
  std::uint32_t index;
  bool operator<(const KeyEntry& o) const {
    return hash != o.hash ? hash < o.hash : index < o.index;
  }
};

}  // namespace oeuvre::engine
