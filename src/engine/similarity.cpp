#include "engine/similarity.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/code_points.h"
#include "engine/text_normalization.h"

namespace oeuvre::engine {
namespace {

// Both inputs as sequences of small integers: bytes for ASCII, code points otherwise.
struct Decoded {
  const std::uint8_t* bytes = nullptr;
  const char32_t* wide = nullptr;
  std::size_t size = 0;
  std::uint32_t at(std::size_t i) const { return bytes ? bytes[i] : static_cast<std::uint32_t>(wide[i]); }
};

struct DecodedPair {
  Decoded a, b;
};

DecodedPair decode_pair(std::string_view a, std::string_view b) {
  DecodedPair pair;
  if (is_ascii(a) && is_ascii(b)) {
    pair.a = {reinterpret_cast<const std::uint8_t*>(a.data()), nullptr, a.size()};
    pair.b = {reinterpret_cast<const std::uint8_t*>(b.data()), nullptr, b.size()};
    return pair;
  }
  thread_local std::u32string wide_a, wide_b;
  decode_utf8(a, wide_a);
  decode_utf8(b, wide_b);
  pair.a = {nullptr, wide_a.data(), wide_a.size()};
  pair.b = {nullptr, wide_b.data(), wide_b.size()};
  return pair;
}

// Match-bit vectors of a pattern: for each distinct symbol, which positions hold it, in 64-bit words.
// Symbols are renumbered 1..k (0 = absent from the pattern) so the table stays small.
class PatternBits {
 public:
  explicit PatternBits(const Decoded& pattern) {
    words_ = (pattern.size + 63) / 64;
    symbols_.clear();
    for (std::size_t i = 0; i < pattern.size; ++i) symbols_.push_back(pattern.at(i));
    std::sort(symbols_.begin(), symbols_.end());
    symbols_.erase(std::unique(symbols_.begin(), symbols_.end()), symbols_.end());
    if (pattern.bytes) {
      ascii_index_.fill(0);
      for (std::size_t k = 0; k < symbols_.size(); ++k) {
        ascii_index_[symbols_[k] & 0xFF] = static_cast<std::uint32_t>(k + 1);
      }
    }
    ascii_ = pattern.bytes != nullptr;
    bits_.assign((symbols_.size() + 1) * words_, 0);
    for (std::size_t i = 0; i < pattern.size; ++i) {
      std::uint32_t index = index_of(pattern.at(i));
      bits_[index * words_ + i / 64] |= std::uint64_t{1} << (i % 64);
    }
  }

  std::size_t words() const { return words_; }

  std::uint32_t index_of(std::uint32_t symbol) const {
    if (ascii_ && symbol < 256) return ascii_index_[symbol];
    auto it = std::lower_bound(symbols_.begin(), symbols_.end(), symbol);
    if (it == symbols_.end() || *it != symbol) return 0;
    return static_cast<std::uint32_t>(it - symbols_.begin() + 1);
  }

  // The match bits of word `word` for the symbol numbered `index`.
  std::uint64_t get(std::uint32_t index, std::size_t word) const { return bits_[index * words_ + word]; }

 private:
  std::size_t words_ = 0;
  bool ascii_ = false;
  std::array<std::uint32_t, 256> ascii_index_{};
  thread_local static std::vector<std::uint32_t> symbols_;
  thread_local static std::vector<std::uint64_t> bits_;
};

thread_local std::vector<std::uint32_t> PatternBits::symbols_;
thread_local std::vector<std::uint64_t> PatternBits::bits_;

std::size_t levenshtein_decoded(const Decoded& a, const Decoded& b) {
  // The shorter one is the pattern (fewer words per text symbol).
  const Decoded& pattern = a.size <= b.size ? a : b;
  const Decoded& text = a.size <= b.size ? b : a;
  if (pattern.size == 0) return text.size;
  PatternBits bits(pattern);
  const std::size_t words = bits.words();
  thread_local std::vector<std::uint64_t> vp, vn;
  vp.assign(words, ~std::uint64_t{0});
  vn.assign(words, 0);
  const std::uint64_t last = std::uint64_t{1} << ((pattern.size - 1) % 64);
  std::size_t distance = pattern.size;
  for (std::size_t j = 0; j < text.size; ++j) {
    const std::uint32_t symbol = bits.index_of(text.at(j));
    std::uint64_t hp_carry = 1, hn_carry = 0;
    for (std::size_t w = 0; w < words; ++w) {
      const std::uint64_t pm = bits.get(symbol, w);
      const std::uint64_t v_p = vp[w], v_n = vn[w];
      const std::uint64_t x = pm | hn_carry;
      const std::uint64_t d0 = (((x & v_p) + v_p) ^ v_p) | x | v_n;
      std::uint64_t hp = v_n | ~(d0 | v_p);
      std::uint64_t hn = d0 & v_p;
      if (w == words - 1) {
        if (hp & last) ++distance;
        if (hn & last) --distance;
      }
      const std::uint64_t hp_in = hp_carry, hn_in = hn_carry;
      hp_carry = hp >> 63;
      hn_carry = hn >> 63;
      hp = (hp << 1) | hp_in;
      hn = (hn << 1) | hn_in;
      vp[w] = hn | ~(d0 | hp);
      vn[w] = hp & d0;
    }
  }
  return distance;
}

std::size_t lcs_decoded(const Decoded& a, const Decoded& b) {
  const Decoded& pattern = a.size <= b.size ? a : b;
  const Decoded& text = a.size <= b.size ? b : a;
  if (pattern.size == 0) return 0;
  PatternBits bits(pattern);
  const std::size_t words = bits.words();
  thread_local std::vector<std::uint64_t> s;
  s.assign(words, ~std::uint64_t{0});
  for (std::size_t j = 0; j < text.size; ++j) {
    const std::uint32_t symbol = bits.index_of(text.at(j));
    std::uint64_t carry = 0;
    for (std::size_t w = 0; w < words; ++w) {
      const std::uint64_t u = s[w] & bits.get(symbol, w);
      std::uint64_t sum;
      std::uint64_t c1 = __builtin_add_overflow(s[w], u, &sum);
      std::uint64_t c2 = __builtin_add_overflow(sum, carry, &sum);
      carry = c1 | c2;
      s[w] = sum | (s[w] - u);
    }
  }
  std::size_t lcs = 0;
  for (std::size_t w = 0; w < words; ++w) {
    std::uint64_t zeros = ~s[w];
    if (w == words - 1 && pattern.size % 64 != 0) zeros &= (std::uint64_t{1} << (pattern.size % 64)) - 1;
    lcs += static_cast<std::size_t>(__builtin_popcountll(zeros));
  }
  return lcs;
}

double jaro_decoded(const Decoded& a, const Decoded& b) {
  const std::size_t n = a.size, m = b.size;
  if (n == 0 && m == 0) return 1.0;
  if (n == 0 || m == 0) return 0.0;
  std::size_t window = std::max(n, m) / 2;
  window = window > 0 ? window - 1 : 0;
  thread_local std::vector<std::uint8_t> a_matched, b_matched;
  a_matched.assign(n, 0);
  b_matched.assign(m, 0);
  std::size_t matches = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t lo = i > window ? i - window : 0;
    const std::size_t hi = std::min(i + window + 1, m);
    const std::uint32_t symbol = a.at(i);
    for (std::size_t j = lo; j < hi; ++j) {
      if (!b_matched[j] && b.at(j) == symbol) {
        a_matched[i] = b_matched[j] = 1;
        ++matches;
        break;
      }
    }
  }
  if (matches == 0) return 0.0;
  std::size_t half_transpositions = 0;
  for (std::size_t i = 0, k = 0; i < n; ++i) {
    if (!a_matched[i]) continue;
    while (!b_matched[k]) ++k;
    if (a.at(i) != b.at(k)) ++half_transpositions;
    ++k;
  }
  const double mm = static_cast<double>(matches);
  const double t = static_cast<double>(half_transpositions / 2);
  return (mm / static_cast<double>(n) + mm / static_cast<double>(m) + (mm - t) / mm) / 3.0;
}

void split_sorted_tokens(std::string_view sorted, std::vector<std::string_view>& tokens) {
  tokens.clear();
  std::size_t start = 0;
  while (start < sorted.size()) {
    std::size_t end = sorted.find(' ', start);
    if (end == std::string_view::npos) end = sorted.size();
    if (end > start) tokens.push_back(sorted.substr(start, end - start));
    start = end + 1;
  }
}

void join_into(std::string& out, const std::vector<std::string_view>& tokens) {
  for (std::string_view token : tokens) {
    if (!out.empty()) out.push_back(' ');
    out.append(token);
  }
}

}  // namespace

double jaro_winkler(std::string_view a, std::string_view b) {
  DecodedPair pair = decode_pair(a, b);
  double jaro = jaro_decoded(pair.a, pair.b);
  if (jaro <= 0.7) return jaro;
  std::size_t prefix = 0;
  const std::size_t limit = std::min<std::size_t>({4, pair.a.size, pair.b.size});
  while (prefix < limit && pair.a.at(prefix) == pair.b.at(prefix)) ++prefix;
  return jaro + static_cast<double>(prefix) * 0.1 * (1.0 - jaro);
}

std::size_t levenshtein_distance(std::string_view a, std::string_view b) {
  DecodedPair pair = decode_pair(a, b);
  return levenshtein_decoded(pair.a, pair.b);
}

double levenshtein_ratio(std::string_view a, std::string_view b) {
  DecodedPair pair = decode_pair(a, b);
  const std::size_t longest = std::max(pair.a.size, pair.b.size);
  if (longest == 0) return 1.0;
  return 1.0 - static_cast<double>(levenshtein_decoded(pair.a, pair.b)) / static_cast<double>(longest);
}

std::size_t lcs_length(std::string_view a, std::string_view b) {
  DecodedPair pair = decode_pair(a, b);
  return lcs_decoded(pair.a, pair.b);
}

double indel_ratio(std::string_view a, std::string_view b) {
  DecodedPair pair = decode_pair(a, b);
  const std::size_t total = pair.a.size + pair.b.size;
  if (total == 0) return 1.0;
  return 2.0 * static_cast<double>(lcs_decoded(pair.a, pair.b)) / static_cast<double>(total);
}

double token_set_ratio_of_sorted(std::string_view sorted_a, std::string_view sorted_b) {
  if (sorted_a.empty() && sorted_b.empty()) return 1.0;
  if (sorted_a.empty() || sorted_b.empty()) return 0.0;
  if (sorted_a == sorted_b) return 1.0;
  thread_local std::vector<std::string_view> tokens_a, tokens_b, common, only_a, only_b;
  split_sorted_tokens(sorted_a, tokens_a);
  split_sorted_tokens(sorted_b, tokens_b);
  common.clear();
  only_a.clear();
  only_b.clear();
  std::size_t i = 0, j = 0;
  while (i < tokens_a.size() || j < tokens_b.size()) {
    if (j == tokens_b.size() || (i < tokens_a.size() && tokens_a[i] < tokens_b[j])) {
      only_a.push_back(tokens_a[i++]);
    } else if (i == tokens_a.size() || tokens_b[j] < tokens_a[i]) {
      only_b.push_back(tokens_b[j++]);
    } else {
      common.push_back(tokens_a[i++]);
      ++j;
    }
  }
  if (!common.empty() && (only_a.empty() || only_b.empty())) return 1.0;
  thread_local std::string t0, t1, t2;
  t0.clear();
  join_into(t0, common);
  t1 = t0;
  join_into(t1, only_a);
  t2 = t0;
  join_into(t2, only_b);
  double best = indel_ratio(t1, t2);
  if (!t0.empty()) best = std::max({best, indel_ratio(t0, t1), indel_ratio(t0, t2)});
  return best;
}

double token_set_ratio(std::string_view a, std::string_view b) {
  return token_set_ratio_of_sorted(sorted_token_set(normalize_text(a)),
                                   sorted_token_set(normalize_text(b)));
}

}  // namespace oeuvre::engine
