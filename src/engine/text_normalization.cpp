#include "engine/text_normalization.h"

#include <algorithm>
#include <vector>

#include "core/utf8.h"

namespace oeuvre::engine {
namespace {

// Simple lower-case mapping for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic capitals.
char32_t fold_case(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c < 0xC0) return c;
  if ((c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;  // Latin-1
  if (c == 0x178) return 0xFF;
  if (c >= 0x100 && c <= 0x17F && c != 0x130 && c != 0x131 && c != 0x138 && c != 0x149 &&
      c != 0x17F) {  // Latin Ext-A
    bool odd_is_lower = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (odd_is_lower) return (c % 2 == 1) ? c + 1 : c;
    return (c % 2 == 0) ? c + 1 : c;
  }
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 32;  // Greek
  if (c >= 0x410 && c <= 0x42F) return c + 32;                // Cyrillic
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}

bool is_separator(char32_t c) {
  if (c < 0x80) {
    return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
  }
  return c == 0xA0 || (c >= 0xA1 && c <= 0xBF && c != 0xAA && c != 0xB5 && c != 0xBA) ||
         (c >= 0x2000 && c <= 0x206F) || (c >= 0x20A0 && c <= 0x20CF) || c == 0x3000 ||
         c == 0xFEFF || c == 0xFFFD;
}

// Calls emit(code_point) for each folded code point, emit(' ') once per run of separators, trimmed.
template <class Emit>
void for_each_normalized(std::string_view text, Emit&& emit) {
  bool pending_space = false;
  bool emitted_any = false;
  std::size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    char32_t c;
    if (byte < 0x80) {
      c = byte;
      ++i;
    } else {
      c = decode_code_point(text, i);
    }
    if (is_separator(c)) {
      pending_space = emitted_any;
      continue;
    }
    if (pending_space) {
      emit(U' ');
      pending_space = false;
    }
    emit(fold_case(c));
    emitted_any = true;
  }
}

}  // namespace

std::string normalize_text(std::string_view text) {
  std::string out;
  normalize_text_into(text, out);
  return out;
}

std::string normalize_key(std::string_view text) {
  std::string out;
  normalize_key_into(text, out);
  return out;
}

std::string sorted_token_set(std::string_view normalized_text) {
  std::string out;
  sorted_token_set_into(normalized_text, out);
  return out;
}

void normalize_text_into(std::string_view text, std::string& out) {
  out.clear();
  out.reserve(text.size());
  for_each_normalized(text, [&](char32_t c) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      append_utf8(out, c);
    }
  });
}

void normalize_key_into(std::string_view text, std::string& out) {
  out.clear();
  out.reserve(text.size());
  bool in_digit_run = false;
  bool run_has_nonzero = false;
  for_each_normalized(text, [&](char32_t c) {
    if (c == U' ') return;  // separators vanish first: "INV-2025-000482" = "INV2025000482"

    bool digit = c >= '0' && c <= '9';
    if (digit) {
      if (!in_digit_run) {
        in_digit_run = true;
        run_has_nonzero = false;
      }
      if (c == '0' && !run_has_nonzero) {
        return;  // a leading zero
      }
      run_has_nonzero = true;
      out.push_back(static_cast<char>(c));
      return;
    }
    if (in_digit_run && !run_has_nonzero) out.push_back('0');  // the run was all zeros
    in_digit_run = false;
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      append_utf8(out, c);
    }
  });
  if (in_digit_run && !run_has_nonzero) out.push_back('0');
}

void sorted_token_set_into(std::string_view normalized_text, std::string& out) {
  thread_local std::vector<std::string_view> tokens;
  tokens.clear();
  std::size_t start = 0;
  while (start < normalized_text.size()) {
    std::size_t end = normalized_text.find(' ', start);
    if (end == std::string_view::npos) end = normalized_text.size();
    if (end > start) tokens.push_back(normalized_text.substr(start, end - start));
    start = end + 1;
  }
  std::sort(tokens.begin(), tokens.end());
  tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
  out.clear();
  out.reserve(normalized_text.size());
  for (std::string_view token : tokens) {
    if (!out.empty()) out.push_back(' ');
    out.append(token);
  }
}

void identifier_numbers_into(std::string_view text, std::string& out) {
  out.clear();
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < text.size() && count < kMaxNumbers) {
    if (text[i] < '0' || text[i] > '9') {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i - start < kMinNumberDigits) continue;
    if (!out.empty()) out.push_back(' ');
    out.append(text.substr(start, i - start));
    ++count;
  }
}

bool one_typo_apart(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  std::size_t first = a.size(), count = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i]) continue;
    if (count++ == 0) first = i;
  }
  return count == 1 || (count == 2 && first + 1 < a.size() && a[first] == b[first + 1] &&
                        a[first + 1] == b[first]);
}

namespace {

// Every number of `part` is among those of `whole` (with `typos`, but for one identifying number
// a typo away from one of them), and one of them identifies.
bool numbers_within(std::string_view part, std::string_view whole, bool typos = false) {
  bool identifying = false;
  bool typo_used = false;
  const bool all = each_number(part, [&](std::string_view n) {
    identifying = identifying || n.size() >= kMinIdentifyingDigits;
    if (holds_number(whole, n)) return true;
    if (!typos || typo_used || n.size() < kMinIdentifyingDigits) return false;
    typo_used = !each_number(whole, [&](std::string_view w) { return !one_typo_apart(n, w); });
    return typo_used;
  });
  return all && identifying;
}

}  // namespace

bool holds_number(std::string_view numbers, std::string_view number) {
  return !each_number(numbers, [&](std::string_view n) { return n != number; });
}

bool identifier_numbers_agree(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return false;
  return numbers_within(a, b) || numbers_within(b, a);
}

bool identifier_numbers_a_typo_apart(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return false;
  return numbers_within(a, b, true) || numbers_within(b, a, true);
}

bool identifier_numbers_in_text(std::string_view identifier, std::string_view text) {
  bool any = false;
  const bool all = each_number(identifier, [&](std::string_view n) {
    if (n.size() < kMinIdentifyingDigits) return true;
    any = true;
    return holds_number(text, n);
  });
  return all && any;
}

bool text_quotes_another_identifier(std::string_view identifier, std::string_view text) {
  std::string_view core;
  each_number(identifier, [&](std::string_view n) {
    if (n.size() >= kMinIdentifyingDigits && n.size() > core.size()) core = n;
    return true;
  });
  if (core.empty() || holds_number(text, core)) return false;
  // The identifier's other numbers (its year) in the text too, so that the other number is an
  // identifier of its kind (INV-2025-007842 against INV-2025-011536), not a card's or an order's
  // number that a description happens to hold.
  bool corroborated = false;
  const bool kind = each_number(identifier, [&](std::string_view n) {
    if (n == core) return true;
    corroborated = true;
    return holds_number(text, n);
  });
  if (!kind || !corroborated) return false;
  // Another number of its length, and more than a typo away from it (a typo: this identifier
  // mistyped).
  const auto another = [&](std::string_view n) {
    return n.size() == core.size() && !one_typo_apart(n, core);
  };
  return !each_number(text, [&](std::string_view n) { return !another(n); });
}

}  // namespace oeuvre::engine
