// Google Benchmark micro-benchmarks of the text comparators (ASCII and Unicode, short and long).
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "engine/similarity.h"
#include "engine/text_normalization.h"

namespace {

std::string random_word(std::mt19937& rng, std::size_t length, bool unicode) {
  static const char* ascii[] = {"a", "b", "c", "d", "e", "f", "g", "h", "1", "2", " "};
  static const char* wide[] = {"a", "é", "ß", "日", "ж", "b", " "};
  std::string s;
  for (std::size_t i = 0; i < length; ++i) s += unicode ? wide[rng() % 7] : ascii[rng() % 11];
  return s;
}

template <class F>
void run_pairs(benchmark::State& state, F&& f) {
  std::mt19937 rng(42);
  const auto length = static_cast<std::size_t>(state.range(0));
  const bool unicode = state.range(1) != 0;
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int i = 0; i < 256; ++i)
    pairs.emplace_back(random_word(rng, length, unicode), random_word(rng, length, unicode));
  std::size_t k = 0;
  for (auto _ : state) {
    const auto& [a, b] = pairs[k++ & 255];
    benchmark::DoNotOptimize(f(a, b));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_JaroWinkler(benchmark::State& s) {
  run_pairs(s, [](auto& a, auto& b) { return oeuvre::engine::jaro_winkler(a, b); });
}
void BM_Levenshtein(benchmark::State& s) {
  run_pairs(s, [](auto& a, auto& b) { return oeuvre::engine::levenshtein_distance(a, b); });
}
void BM_IndelRatio(benchmark::State& s) {
  run_pairs(s, [](auto& a, auto& b) { return oeuvre::engine::indel_ratio(a, b); });
}
void BM_TokenSetRatio(benchmark::State& s) {
  run_pairs(s, [](auto& a, auto& b) { return oeuvre::engine::token_set_ratio(a, b); });
}
void BM_NormalizeText(benchmark::State& s) {
  run_pairs(s, [](auto& a, auto&) { return oeuvre::engine::normalize_text(a).size(); });
}

#define COMPARATOR_ARGS \
  ->Args({12, 0})->Args({32, 0})->Args({64, 0})->Args({200, 0})->Args({12, 1})->Args({64, 1})
BENCHMARK(BM_JaroWinkler) COMPARATOR_ARGS;
BENCHMARK(BM_Levenshtein) COMPARATOR_ARGS->Args({1000, 0});
BENCHMARK(BM_IndelRatio) COMPARATOR_ARGS;
BENCHMARK(BM_TokenSetRatio) COMPARATOR_ARGS;
BENCHMARK(BM_NormalizeText) COMPARATOR_ARGS;

}  // namespace

BENCHMARK_MAIN();
