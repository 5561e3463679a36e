#include "engine/duplicates.h"

#include <functional>

#include "engine/key_hash.h"
#include "engine/parallel_for.h"

namespace oeuvre::engine {

std::vector<std::int64_t> find_duplicates(const RecordTable& table, int threads) {
  const std::size_t n = table.size();
  std::vector<std::int64_t> duplicate_of(n, -1);
  auto same = [&](std::size_t a, std::size_t b) {
    return table.amounts[a] == table.amounts[b] && table.dates[a] == table.dates[b] &&
           table.currencies[a] == table.currencies[b] &&
           table.references[a] == table.references[b] &&
           table.descriptions[a] == table.descriptions[b] &&
           table.counterparties[a] == table.counterparties[b];
  };
  std::vector<KeyEntry> keys(n);
  parallel_for(n, threads, [&](std::size_t begin, std::size_t end, std::size_t) {
    for (std::size_t i = begin; i < end; ++i) {
      std::uint64_t h = static_cast<std::uint64_t>(table.amounts[i]) * 0x9E3779B97F4A7C15ULL;
      h ^= static_cast<std::uint64_t>(static_cast<std::uint32_t>(table.dates[i])) + 0x7F4A7C15ULL +
           (h << 6) + (h >> 2);
      h ^= hash_of(table.references[i]) + (h << 6) + (h >> 2);
      h ^= hash_of(table.descriptions[i]) + (h << 6) + (h >> 2);
      keys[i] = {h, static_cast<std::uint32_t>(i)};
    }
  });
  parallel_sort(keys, threads, std::less<KeyEntry>());
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i + 1;
    while (j < n && keys[j].hash == keys[i].hash) ++j;
    for (std::size_t a = i + 1; a < j; ++a) {
      for (std::size_t b = i; b < a; ++b) {
        if (duplicate_of[keys[b].index] < 0 && same(keys[a].index, keys[b].index)) {
          duplicate_of[keys[a].index] = keys[b].index;
          break;
        }
      }
    }
    i = j;
  }
  return duplicate_of;
}

}  // namespace oeuvre::engine
