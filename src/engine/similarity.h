#pragma once
// String similarity measures, UTF-8 aware: they compare code points, not bytes, with a fast path
// for ASCII. Every similarity is in [0, 1]; two empty strings are identical (1), one empty string
// is unlike anything else (0). Thread-safety: pure functions, safe for concurrent use (scratch
// buffers are thread-local).

#include <cstddef>
#include <string_view>

namespace oeuvre::engine {

// Jaro similarity with the Winkler prefix bonus (prefix up to 4 code points, scale 0.1, applied
// when the Jaro similarity exceeds 0.7). O(n * max(n, m) / 2).
double jaro_winkler(std::string_view a, std::string_view b);

// Levenshtein distance in code points (insert, delete, substitute each cost 1), by Hyyrö's
// bit-parallel algorithm: O(ceil(n / 64) * m) word operations.
std::size_t levenshtein_distance(std::string_view a, std::string_view b);

// 1 - levenshtein_distance / max(length a, length b).
double levenshtein_ratio(std::string_view a, std::string_view b);

// Longest common subsequence length in code points, bit-parallel (Allison-Dix / Hyyrö).
std::size_t lcs_length(std::string_view a, std::string_view b);

// Indel similarity: 2 * LCS / (length a + length b) (the "ratio" of difflib / fuzzywuzzy).
double indel_ratio(std::string_view a, std::string_view b);

// Token-set ratio: both texts are normalised (normalize_text) and split into token sets; with I the
// sorted intersection and A, B the sorted remainders, the result is the best indel_ratio among
// (I, I+A), (I, I+B), (I+A, I+B). Word order and repeated words do not matter; a text whose words
// are all in the other scores 1.
double token_set_ratio(std::string_view a, std::string_view b);

// token_set_ratio for inputs already passed through normalize_text and sorted_token_set (the engine
// prepares each record once and calls this per candidate pair).
double token_set_ratio_of_sorted(std::string_view sorted_a, std::string_view sorted_b);

}  // namespace oeuvre::engine
