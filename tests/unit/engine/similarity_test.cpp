#include "engine/similarity.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "core/utf8.h"
#include "engine/text_normalization.h"

namespace oeuvre::engine {
namespace {

std::size_t naive_levenshtein(const std::u32string& a, const std::u32string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::size_t naive_lcs(const std::u32string& a, const std::u32string& b) {
  std::vector<std::vector<std::size_t>> t(a.size() + 1, std::vector<std::size_t>(b.size() + 1, 0));
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
    }
  }
  return t[a.size()][b.size()];
}

std::u32string decode(const std::string& s) {
  std::u32string out;
  decode_utf8(s, out);
  return out;
}

std::string random_text(std::mt19937& rng, std::size_t length, bool unicode) {
  static const char* ascii[] = {"a", "b", "c", "d", "e"};
  static const char* wide[] = {"a", "é", "ß", "日", "😀", "b"};
  std::string s;
  for (std::size_t i = 0; i < length; ++i) {
    s += unicode ? wide[rng() % 6] : ascii[rng() % 5];
  }
  return s;
}

TEST(JaroWinkler, KnownValues) {
  EXPECT_NEAR(jaro_winkler("MARTHA", "MARHTA"), 0.9611, 1e-4);
  EXPECT_NEAR(jaro_winkler("DWAYNE", "DUANE"), 0.84, 1e-4);
  EXPECT_NEAR(jaro_winkler("DIXON", "DICKSONX"), 0.8133, 1e-4);
  EXPECT_DOUBLE_EQ(jaro_winkler("same", "same"), 1.0);
  EXPECT_DOUBLE_EQ(jaro_winkler("abc", "xyz"), 0.0);
}

TEST(JaroWinkler, EmptyAndUnicode) {
  EXPECT_DOUBLE_EQ(jaro_winkler("", ""), 1.0);
  EXPECT_DOUBLE_EQ(jaro_winkler("", "a"), 0.0);
  // Code points, not bytes: one substituted character, whatever its encoded length.
  EXPECT_DOUBLE_EQ(jaro_winkler("Zürich", "Zürich"), 1.0);
  EXPECT_NEAR(jaro_winkler("Zürich", "Zurich"), jaro_winkler("Zxrich", "Zurich"), 1e-12);
  EXPECT_NEAR(jaro_winkler("日本語", "日本人"), jaro_winkler("abc", "abd"), 1e-12);
}

TEST(Levenshtein, KnownValues) {
  EXPECT_EQ(levenshtein_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(levenshtein_distance("", "abc"), 3u);
  EXPECT_EQ(levenshtein_distance("abc", ""), 3u);
  EXPECT_EQ(levenshtein_distance("", ""), 0u);
  EXPECT_EQ(levenshtein_distance("flaw", "lawn"), 2u);
  EXPECT_EQ(levenshtein_distance("café", "cafe"), 1u);
  EXPECT_EQ(levenshtein_distance("😀😀", "😀"), 1u);
  EXPECT_DOUBLE_EQ(levenshtein_ratio("", ""), 1.0);
  EXPECT_DOUBLE_EQ(levenshtein_ratio("abcd", "abce"), 0.75);
}

TEST(Levenshtein, MatchesDynamicProgrammingAcrossWordBoundaries) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    const bool unicode = round % 3 == 0;
    const std::size_t la = rng() % 150, lb = rng() % 150;  // up to three 64-bit words
    std::string a = random_text(rng, la, unicode), b = random_text(rng, lb, unicode);
    ASSERT_EQ(levenshtein_distance(a, b), naive_levenshtein(decode(a), decode(b)))
        << a << " / " << b;
    ASSERT_EQ(lcs_length(a, b), naive_lcs(decode(a), decode(b))) << a << " / " << b;
  }
}

TEST(Levenshtein, VeryLongStrings) {
  std::string a(5000, 'a'), b(5000, 'a');
  b[2500] = 'b';
  b += "tail";
  // b keeps all 5000 'a's (one is in "tail"): insert 'b', 't', 'i', 'l'.
  EXPECT_EQ(levenshtein_distance(a, b), 4u);
  EXPECT_EQ(lcs_length(a, b), 5000u);
  EXPECT_GT(jaro_winkler(a, b), 0.99);
}

TEST(IndelRatio, Values) {
  EXPECT_DOUBLE_EQ(indel_ratio("", ""), 1.0);
  EXPECT_DOUBLE_EQ(indel_ratio("abc", ""), 0.0);
  EXPECT_NEAR(indel_ratio("abcd", "abed"), 0.75, 1e-12);
}

TEST(TokenSetRatio, IgnoresOrderCaseDuplicatesAndExtraWords) {
  EXPECT_DOUBLE_EQ(token_set_ratio("ACME Corp, Ltd.", "ltd acme corp"), 1.0);
  EXPECT_DOUBLE_EQ(token_set_ratio("acme acme corp", "corp acme"), 1.0);
  EXPECT_DOUBLE_EQ(token_set_ratio("acme corp", "acme corp payment 123"), 1.0);  // subset
  EXPECT_LT(token_set_ratio("acme corp", "globex industries"), 0.5);
  EXPECT_DOUBLE_EQ(token_set_ratio("", ""), 1.0);
  EXPECT_DOUBLE_EQ(token_set_ratio("x", ""), 0.0);
  EXPECT_DOUBLE_EQ(token_set_ratio("Müller GmbH", "MÜLLER gmbh"), 1.0);
  const double partial = token_set_ratio("acme trading ltd", "acme logistics ltd");
  EXPECT_GT(partial, 0.5);
  EXPECT_LT(partial, 1.0);
}

}  // namespace
}  // namespace oeuvre::engine

namespace oeuvre::engine {
namespace {

// The reference Jaro-Winkler: the classic quadratic loop over code points.
double naive_jaro_winkler(const std::u32string& a, const std::u32string& b) {
  const std::size_t n = a.size(), m = b.size();
  if (n == 0 && m == 0) return 1.0;
  if (n == 0 || m == 0) return 0.0;
  std::size_t window = std::max(n, m) / 2;
  window = window > 0 ? window - 1 : 0;
  std::vector<bool> am(n), bm(m);
  std::size_t matches = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i > window ? i - window : 0; j < std::min(i + window + 1, m); ++j) {
      if (!bm[j] && a[i] == b[j]) {
        am[i] = bm[j] = true;
        ++matches;
        break;
      }
    }
  }
  if (matches == 0) return 0.0;
  std::size_t t = 0;
  for (std::size_t i = 0, k = 0; i < n; ++i) {
    if (!am[i]) continue;
    while (!bm[k]) ++k;
    if (a[i] != b[k]) ++t;
    ++k;
  }
  const double mm = static_cast<double>(matches);
  double jaro = (mm / static_cast<double>(n) + mm / static_cast<double>(m) +
                 (mm - static_cast<double>(t / 2)) / mm) /
                3.0;
  if (jaro <= 0.7) return jaro;
  std::size_t prefix = 0;
  while (prefix < std::min<std::size_t>({4, n, m}) && a[prefix] == b[prefix]) ++prefix;
  return jaro + static_cast<double>(prefix) * 0.1 * (1.0 - jaro);
}

TEST(JaroWinkler, MatchesTheClassicLoopOnRandomStrings) {
  std::mt19937 rng(5);
  for (int round = 0; round < 500; ++round) {
    const bool unicode = round % 4 == 0;
    std::string a = random_text(rng, rng() % 80, unicode),
                b = random_text(rng, rng() % 80, unicode);
    ASSERT_NEAR(jaro_winkler(a, b), naive_jaro_winkler(decode(a), decode(b)), 1e-12)
        << a << " / " << b;
  }
}

}  // namespace
}  // namespace oeuvre::engine

namespace oeuvre::engine {
namespace {

// The token-set ratio built the long way: the three strings and a DP LCS on code points.
double naive_token_set_ratio(const std::string& a, const std::string& b) {
  auto tokens = [](const std::string& text) {
    std::vector<std::string> out;
    std::string current;
    for (char c : normalize_text(text) + " ") {
      if (c == ' ') {
        if (!current.empty()) out.push_back(current);
        current.clear();
      } else {
        current += c;
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  };
  auto ta = tokens(a), tb = tokens(b);
  if (ta.empty() && tb.empty()) return 1.0;
  if (ta.empty() || tb.empty()) return 0.0;
  std::vector<std::string> common, only_a, only_b;
  std::set_intersection(ta.begin(), ta.end(), tb.begin(), tb.end(), std::back_inserter(common));
  std::set_difference(ta.begin(), ta.end(), tb.begin(), tb.end(), std::back_inserter(only_a));
  std::set_difference(tb.begin(), tb.end(), ta.begin(), ta.end(), std::back_inserter(only_b));
  auto join = [](std::string head, const std::vector<std::string>& rest) {
    for (const auto& t : rest) head += (head.empty() ? "" : " ") + t;
    return head;
  };
  const std::string t0 = join("", common), t1 = join(t0, only_a), t2 = join(t0, only_b);
  auto ratio = [](const std::string& x, const std::string& y) {
    const std::u32string dx = decode(x), dy = decode(y);
    if (dx.empty() && dy.empty()) return 1.0;
    return 2.0 * static_cast<double>(naive_lcs(dx, dy)) /
           static_cast<double>(dx.size() + dy.size());
  };
  double best = ratio(t1, t2);
  if (!t0.empty()) best = std::max({best, ratio(t0, t1), ratio(t0, t2)});
  return best;
}

TEST(TokenSetRatio, MatchesTheLongWayOnRandomTexts) {
  std::mt19937 rng(9);
  static const char* words[] = {"acme",    "corp", "ltd",  "zürich", "日本",
                                "payment", "inv",  "2025", "a",      "b"};
  for (int round = 0; round < 400; ++round) {
    std::string a, b;
    for (int k = static_cast<int>(rng() % 6); k > 0; --k) a += std::string(words[rng() % 10]) + " ";
    for (int k = static_cast<int>(rng() % 6); k > 0; --k) b += std::string(words[rng() % 10]) + " ";
    ASSERT_NEAR(token_set_ratio(a, b), naive_token_set_ratio(a, b), 1e-12) << a << " / " << b;
  }
}

}  // namespace
}  // namespace oeuvre::engine
