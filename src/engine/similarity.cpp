#include "engine/similarity.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/utf8.h"
#include "engine/text_normalization.h"

namespace oeuvre::engine {
namespace {

// Both inputs as sequences of small integers: bytes for ASCII, code points otherwise.
struct Decoded {
  const std::uint8_t* bytes = nullptr;
  const char32_t* wide = nullptr;
  std::size_t size = 0;
  std::uint32_t at(std::size_t i) const {
    return bytes ? bytes[i] : static_cast<std::uint32_t>(wide[i]);
  }
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

// Match-bit vectors of a pattern: for each distinct symbol, which positions hold it, in 64-bit
// words. Symbols are renumbered 1..k (0 = absent from the pattern) so the table stays small.
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
  std::uint64_t get(std::uint32_t index, std::size_t word) const {
    return bits_[index * words_ + word];
  }

 private:
  std::size_t words_ = 0;
  bool ascii_ = false;
  std::array<std::uint32_t, 256> ascii_index_{};
  thread_local static std::vector<std::uint32_t> symbols_;
  thread_local static std::vector<std::uint64_t> bits_;
};

thread_local std::vector<std::uint32_t> PatternBits::symbols_;
thread_local std::vector<std::uint64_t> PatternBits::bits_;

// Single-word Myers/Hyyro for an ASCII pattern of at most 64 bytes: no symbol renumbering.
std::size_t levenshtein_ascii64(const Decoded& pattern, const Decoded& text) {
  std::uint64_t peq[128] = {};  // ASCII only: bytes < 0x80
  for (std::size_t i = 0; i < pattern.size; ++i) peq[pattern.bytes[i]] |= std::uint64_t{1} << i;
  std::uint64_t vp = ~std::uint64_t{0}, vn = 0;
  const std::uint64_t last = std::uint64_t{1} << (pattern.size - 1);
  std::size_t distance = pattern.size;
  for (std::size_t j = 0; j < text.size; ++j) {
    const std::uint64_t x = peq[text.bytes[j]] | vn;
    const std::uint64_t d0 = (((x & vp) + vp) ^ vp) | x;
    std::uint64_t hp = vn | ~(d0 | vp);
    std::uint64_t hn = d0 & vp;
    if (hp & last) ++distance;
    if (hn & last) --distance;
    hp = (hp << 1) | 1;
    hn = hn << 1;
    vp = hn | ~(d0 | hp);
    vn = hp & d0;
  }
  return distance;
}

std::size_t lcs_ascii64(const Decoded& pattern, const Decoded& text) {
  std::uint64_t peq[128] = {};  // ASCII only: bytes < 0x80
  for (std::size_t i = 0; i < pattern.size; ++i) peq[pattern.bytes[i]] |= std::uint64_t{1} << i;
  std::uint64_t s = ~std::uint64_t{0};
  for (std::size_t j = 0; j < text.size; ++j) {
    const std::uint64_t u = s & peq[text.bytes[j]];
    s = (s + u) | (s - u);
  }
  std::uint64_t zeros = ~s;
  if (pattern.size < 64) zeros &= (std::uint64_t{1} << pattern.size) - 1;
  return static_cast<std::size_t>(__builtin_popcountll(zeros));
}

std::size_t levenshtein_decoded(const Decoded& a, const Decoded& b) {
  // The shorter one is the pattern (fewer words per text symbol).
  const Decoded& pattern = a.size <= b.size ? a : b;
  const Decoded& text = a.size <= b.size ? b : a;
  if (pattern.size == 0) return text.size;
  if (pattern.bytes != nullptr && pattern.size <= 64) return levenshtein_ascii64(pattern, text);
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
  if (pattern.bytes != nullptr && pattern.size <= 64) return lcs_ascii64(pattern, text);
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
    if (w == words - 1 && pattern.size % 64 != 0)
      zeros &= (std::uint64_t{1} << (pattern.size % 64)) - 1;
    lcs += static_cast<std::size_t>(__builtin_popcountll(zeros));
  }
  return lcs;
}

// Jaro for ASCII strings of at most 64 bytes, with bit vectors: the candidate partners of a[i] are
// the unmatched positions of b holding a[i] inside the window, the leftmost one wins (as in the
// classic loop), found with one AND and a count-trailing-zeros.
double jaro_ascii64(const Decoded& a, const Decoded& b) {
  const std::size_t n = a.size, m = b.size;
  std::uint64_t peq[128] = {};  // ASCII only: bytes < 0x80
  for (std::size_t j = 0; j < m; ++j) peq[b.bytes[j]] |= std::uint64_t{1} << j;
  std::size_t window = std::max(n, m) / 2;
  window = window > 0 ? window - 1 : 0;
  std::uint64_t a_matched = 0, b_matched = 0;
  std::size_t matches = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t lo = i > window ? i - window : 0;
    const std::size_t hi = std::min(i + window + 1, m);
    if (lo >= hi) continue;
    const std::uint64_t below_hi = hi >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << hi) - 1;
    const std::uint64_t below_lo = (std::uint64_t{1} << lo) - 1;
    const std::uint64_t candidates = peq[a.bytes[i]] & below_hi & ~below_lo & ~b_matched;
    if (candidates == 0) continue;
    b_matched |= candidates & (~candidates + 1);
    a_matched |= std::uint64_t{1} << i;
    ++matches;
  }
  if (matches == 0) return 0.0;
  std::size_t half_transpositions = 0;
  for (std::uint64_t ia = a_matched, ib = b_matched; ia != 0; ia &= ia - 1, ib &= ib - 1) {
    if (a.bytes[__builtin_ctzll(ia)] != b.bytes[__builtin_ctzll(ib)]) ++half_transpositions;
  }
  const double mm = static_cast<double>(matches);
  const double t = static_cast<double>(half_transpositions / 2);
  return (mm / static_cast<double>(n) + mm / static_cast<double>(m) + (mm - t) / mm) / 3.0;
}

double jaro_decoded(const Decoded& a, const Decoded& b) {
  const std::size_t n = a.size, m = b.size;
  if (n == 0 && m == 0) return 1.0;
  if (n == 0 || m == 0) return 0.0;
  if (a.bytes != nullptr && n <= 64 && m <= 64) return jaro_ascii64(a, b);
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
  return 1.0 -
         static_cast<double>(levenshtein_decoded(pair.a, pair.b)) / static_cast<double>(longest);
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
  // Walk both sorted token lists at once: I = common tokens, A and B the rest of each side, each
  // joined by single spaces. Tokens are scanned and compared inline (they are short: a library
  // call per token costs more than the token).
  thread_local std::string only_a, only_b;
  only_a.clear();
  only_b.clear();
  std::size_t common_count = 0, common_points = 0;
  const char* const a_end = sorted_a.data() + sorted_a.size();
  const char* const b_end = sorted_b.data() + sorted_b.size();
  auto token_end = [](const char* p, const char* end) {
    while (p != end && *p != ' ') ++p;
    return p;
  };
  // -1, 0, 1 as the tokens [a, a_stop) and [b, b_stop) compare bytewise (unsigned), like
  // std::string_view::compare.
  auto compare = [](const char* a, const char* a_stop, const char* b, const char* b_stop) {
    for (; a != a_stop && b != b_stop; ++a, ++b) {
      if (*a != *b) return static_cast<unsigned char>(*a) < static_cast<unsigned char>(*b) ? -1 : 1;
    }
    if (a == a_stop) return b == b_stop ? 0 : -1;
    return 1;
  };
  auto append = [](std::string& out, const char* begin, const char* end) {
    if (!out.empty()) out.push_back(' ');
    out.append(begin, end);
  };
  const char* ta = sorted_a.data();
  const char* ta_stop = token_end(ta, a_end);
  const char* tb = sorted_b.data();
  const char* tb_stop = token_end(tb, b_end);
  bool has_a = true, has_b = true;
  auto advance = [&](const char*& t, const char*& stop, const char* end, bool& has) {
    has = stop != end;
    if (has) {
      t = stop + 1;
      stop = token_end(t, end);
    }
  };
  while (has_a || has_b) {
    const int order = !has_b ? -1 : !has_a ? 1 : compare(ta, ta_stop, tb, tb_stop);
    if (order < 0) {
      append(only_a, ta, ta_stop);
      advance(ta, ta_stop, a_end, has_a);
    } else if (order > 0) {
      append(only_b, tb, tb_stop);
      advance(tb, tb_stop, b_end, has_b);
    } else {
      common_points += utf8_length(std::string_view(ta, static_cast<std::size_t>(ta_stop - ta)));
      ++common_count;
      advance(ta, ta_stop, a_end, has_a);
      advance(tb, tb_stop, b_end, has_b);
    }
  }
  if (common_count > 0 && (only_a.empty() || only_b.empty())) return 1.0;
  // With t0 = I, t1 = I + " " + A and t2 = I + " " + B (lengths in code points), the indel ratios
  // need only LCS(A, B): LCS(t0, t1) = |t0| because t0 is a prefix of t1, and a common prefix adds
  // its length to an LCS, so LCS(t1, t2) = |t0| + 1 + LCS(A, B).
  const double lcs = static_cast<double>(lcs_length(only_a, only_b));
  const double len_a = static_cast<double>(utf8_length(only_a));
  const double len_b = static_cast<double>(utf8_length(only_b));
  if (common_count == 0) return 2.0 * lcs / (len_a + len_b);
  const double len0 = static_cast<double>(common_points + common_count - 1);  // tokens + spaces
  const double len1 = len0 + 1 + len_a, len2 = len0 + 1 + len_b;
  const double r12 = 2.0 * (len0 + 1 + lcs) / (len1 + len2);
  const double r01 = 2.0 * len0 / (len0 + len1);
  const double r02 = 2.0 * len0 / (len0 + len2);
  return std::max({r12, r01, r02});
}

double token_set_ratio(std::string_view a, std::string_view b) {
  return token_set_ratio_of_sorted(sorted_token_set(normalize_text(a)),
                                   sorted_token_set(normalize_text(b)));
}

}  // namespace oeuvre::engine
