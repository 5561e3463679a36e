#include "core/utf8.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace oeuvre {
namespace {

using namespace std::string_literals;

TEST(Utf8Test, EmptyIsValid) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8(std::string_view()));
  EXPECT_EQ(utf8_length(""), 0u);
}

TEST(Utf8Test, AsciiIsValidAtEveryLength) {
  std::string text;
  for (int i = 0; i < 40; ++i) {
    EXPECT_TRUE(is_valid_utf8(text)) << i;
    EXPECT_EQ(utf8_length(text), text.size());
    text.push_back(static_cast<char>('a' + i % 26));
  }
  std::string all_ascii;
  for (int c = 0; c < 0x80; ++c) all_ascii.push_back(static_cast<char>(c));
  EXPECT_TRUE(is_valid_utf8(all_ascii));
  EXPECT_EQ(utf8_length(all_ascii), 128u);
}

TEST(Utf8Test, NulIsAValidCodePoint) {
  EXPECT_TRUE(is_valid_utf8("a\0b"s));
  EXPECT_EQ(utf8_length("a\0b"s), 3u);
}

TEST(Utf8Test, WellFormedMultibyteBoundaries) {
  // Smallest and largest code point of each encoded length, and the edges around the surrogates.
  const std::string valid[] = {
      "\xC2\x80",          // U+0080
      "\xDF\xBF",          // U+07FF
      "\xE0\xA0\x80",      // U+0800
      "\xED\x9F\xBF",      // U+D7FF
      "\xEE\x80\x80",      // U+E000
      "\xEF\xBF\xBD",      // U+FFFD
      "\xEF\xBF\xBF",      // U+FFFF (a noncharacter, but well-formed)
      "\xF0\x90\x80\x80",  // U+10000
      "\xF4\x8F\xBF\xBF",  // U+10FFFF
  };
  for (const auto& s : valid) {
    EXPECT_TRUE(is_valid_utf8(s)) << testing::PrintToString(s);
    EXPECT_EQ(utf8_length(s), 1u);
  }
}

TEST(Utf8Test, CountsCodePointsNotBytes) {
  EXPECT_EQ(utf8_length("Œuvre"), 5u);
  EXPECT_EQ(utf8_length("日本語"), 3u);
  EXPECT_EQ(utf8_length("😀x"), 2u);
  const std::string mixed = "plain ascii run of text, then é and 😀 and more ascii at the end";
  EXPECT_TRUE(is_valid_utf8(mixed));
  EXPECT_EQ(utf8_length(mixed), mixed.size() - 1 - 3);
}

TEST(Utf8Test, RejectsStrayContinuationBytes) {
  EXPECT_FALSE(is_valid_utf8("\x80"));
  EXPECT_FALSE(is_valid_utf8("\xBF"));
  EXPECT_FALSE(is_valid_utf8("abc\x80"));
  EXPECT_FALSE(is_valid_utf8("\xC3\xA9\xA9"));  // é followed by an extra continuation
}

TEST(Utf8Test, RejectsOverlongEncodings) {
  EXPECT_FALSE(is_valid_utf8("\xC0\x80"));          // U+0000 in 2 bytes
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // '/' in 2 bytes
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));          // U+007F in 2 bytes
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\x80"));      // U+0000 in 3 bytes
  EXPECT_FALSE(is_valid_utf8("\xE0\x9F\xBF"));      // U+07FF in 3 bytes
  EXPECT_FALSE(is_valid_utf8("\xF0\x80\x80\x80"));  // U+0000 in 4 bytes
  EXPECT_FALSE(is_valid_utf8("\xF0\x8F\xBF\xBF"));  // U+FFFF in 4 bytes
}

TEST(Utf8Test, RejectsSurrogates) {
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));              // U+D800
  EXPECT_FALSE(is_valid_utf8("\xED\xAF\xBF"));              // U+DBFF
  EXPECT_FALSE(is_valid_utf8("\xED\xB0\x80"));              // U+DC00
  EXPECT_FALSE(is_valid_utf8("\xED\xBF\xBF"));              // U+DFFF
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\xBD\xED\xB8\x80"));  // CESU-8 pair for U+1F600
}

TEST(Utf8Test, RejectsCodePointsAboveMax) {
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xF7\xBF\xBF\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xF8\x88\x80\x80\x80"));      // old 5-byte form
  EXPECT_FALSE(is_valid_utf8("\xFC\x84\x80\x80\x80\x80"));  // old 6-byte form
}

TEST(Utf8Test, RejectsInvalidLeadBytes) {
  for (int b = 0xF5; b <= 0xFF; ++b) {
    EXPECT_FALSE(is_valid_utf8(std::string(1, static_cast<char>(b)) + "\x80\x80\x80")) << b;
  }
  EXPECT_FALSE(is_valid_utf8("\xFE"));
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

TEST(Utf8Test, RejectsTruncatedSequences) {
  EXPECT_FALSE(is_valid_utf8("\xC3"));
  EXPECT_FALSE(is_valid_utf8("\xE2\x82"));
  EXPECT_FALSE(is_valid_utf8("\xF0\x9F\x98"));
  EXPECT_FALSE(is_valid_utf8("abcdefgh\xF0\x9F"));
  // Truncated, with ASCII where a continuation should be.
  EXPECT_FALSE(
      is_valid_utf8("\xC3"
                    "a"));
  EXPECT_FALSE(
      is_valid_utf8("\xE2\x82"
                    "a"));
  EXPECT_FALSE(
      is_valid_utf8("\xF0\x9F\x98"
                    "a"));
  EXPECT_FALSE(
      is_valid_utf8("\xE2"
                    "ab"));
}

TEST(Utf8Test, RejectsBadContinuationInEveryPosition) {
  EXPECT_FALSE(is_valid_utf8("\xC3\xC3"));
  EXPECT_FALSE(is_valid_utf8("\xE2\x82\xC0"));
  EXPECT_FALSE(is_valid_utf8("\xF0\x9F\x98\xFF"));
  EXPECT_FALSE(is_valid_utf8("\xF0\x9F\x41\x80"));
}

TEST(Utf8Test, InvalidByteAfterLongAsciiRunIsFound) {
  // Exercises the word-at-a-time fast path with the bad byte at every offset of a 8-byte window.
  for (std::size_t prefix = 0; prefix < 24; ++prefix) {
    std::string text(prefix, 'x');
    text += "\xFF";
    text += std::string(9, 'y');
    EXPECT_FALSE(is_valid_utf8(text)) << prefix;
    std::string good(prefix, 'x');
    good += "\xC3\xA9";
    good += std::string(9, 'y');
    EXPECT_TRUE(is_valid_utf8(good)) << prefix;
    EXPECT_EQ(utf8_length(good), prefix + 1 + 9);
  }
}

TEST(Utf8Test, ExhaustiveTwoByteSequences) {
  // Every (lead, continuation) pair: valid exactly when lead is C2..DF and the second is 80..BF.
  for (int a = 0x80; a <= 0xFF; ++a) {
    for (int b = 0x00; b <= 0xFF; ++b) {
      const std::string s = {static_cast<char>(a), static_cast<char>(b)};
      const bool expected = a >= 0xC2 && a <= 0xDF && b >= 0x80 && b <= 0xBF;
      if (a >= 0xE0) continue;  // multi-byte leads are covered elsewhere
      ASSERT_EQ(is_valid_utf8(s), expected) << a << " " << b;
    }
  }
}

// Reference rule by decoding (a different method from the validator's byte ranges): a sequence of
// `n` bytes is valid iff the lead announces n, every other byte is 10xxxxxx, the code point needs
// exactly n bytes, and it is a scalar value (not a surrogate, at most U+10FFFF).
bool reference_valid(const std::string& s) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  const std::size_t n = b0 < 0x80           ? 1
                        : (b0 >> 5) == 0x6  ? 2
                        : (b0 >> 4) == 0xE  ? 3
                        : (b0 >> 3) == 0x1E ? 4
                                            : 0;
  if (n != s.size()) return false;
  std::uint32_t cp = n == 1 ? b0 : n == 2 ? (b0 & 0x1F) : n == 3 ? (b0 & 0x0F) : (b0 & 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[k]);
    if ((b & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (b & 0x3F);
  }
  const std::uint32_t min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
  return cp >= min_for_length[n] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
}

TEST(Utf8Test, ExhaustiveThreeByteSequencesMatchReference) {
  for (int a = 0xE0; a <= 0xEF; ++a) {
    for (int b = 0; b <= 0xFF; ++b) {
      for (int c = 0; c <= 0xFF; ++c) {
        const std::string s = {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)};
        ASSERT_EQ(is_valid_utf8(s), reference_valid(s)) << a << " " << b << " " << c;
      }
    }
  }
}

TEST(Utf8Test, FourByteSequencesMatchReference) {
  // Every lead F0..FF with every second and third byte; the fourth byte over a set of edge values.
  const int fourth[] = {0x00, 0x41, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
  for (int a = 0xF0; a <= 0xFF; ++a) {
    for (int b = 0; b <= 0xFF; ++b) {
      for (int c = 0; c <= 0xFF; ++c) {
        for (int d : fourth) {
          const std::string s = {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c),
                                 static_cast<char>(d)};
          ASSERT_EQ(is_valid_utf8(s), reference_valid(s)) << a << " " << b << " " << c << " " << d;
        }
      }
    }
  }
}

TEST(Utf8Test, LengthOfIllFormedInputIsBounded) {
  EXPECT_EQ(utf8_length("\x80\x80\x80"), 0u);
  EXPECT_EQ(utf8_length("\xFF\xFF"), 2u);
  EXPECT_EQ(utf8_length("\xE2\x82"), 1u);
}

}  // namespace
}  // namespace oeuvre

namespace oeuvre {
namespace {

TEST(ToValidUtf8Test, ReplacesIllFormedBytesAndCutsOnCharacterBoundaries) {
  EXPECT_EQ(to_valid_utf8("plain", 100), "plain");
  EXPECT_EQ(to_valid_utf8("caf\xE9", 100), "caf\xEF\xBF\xBD");
  EXPECT_EQ(to_valid_utf8("\xC3\xA9\xC3\xA9", 3), "\xC3\xA9");  // never half of the second é
  EXPECT_EQ(to_valid_utf8("ab\xF0\x9F\x98\x80", 5), "ab");      // a 4-byte emoji does not fit
  EXPECT_TRUE(is_valid_utf8(to_valid_utf8("\xFF\xFE\xED\xA0\x80x", 100)));
  EXPECT_EQ(to_valid_utf8("", 10), "");
  EXPECT_EQ(to_valid_utf8("abc", 0), "");
}

// Moved from the CSV reader's tests (it had its own validator).
TEST(FindInvalidUtf8Test, RejectsOverlongsSurrogatesAndTruncation) {
  EXPECT_FALSE(find_invalid_utf8("plain ascii").has_value());
  EXPECT_FALSE(find_invalid_utf8("\xF0\x9F\x98\x80").has_value());
  EXPECT_EQ(find_invalid_utf8("ab\xC0\x80"), 2u);
  EXPECT_EQ(find_invalid_utf8("\xED\xA0\x80"), 0u);
  EXPECT_EQ(find_invalid_utf8("\xF4\x90\x80\x80"), 0u);
  EXPECT_EQ(find_invalid_utf8("abcdefgh\xE2\x82"), 8u);
  EXPECT_EQ(find_invalid_utf8("\x80"), 0u);
  EXPECT_EQ(find_invalid_utf8("0123456789abcdef\xC3\xA9xyz\xFF"), 21u);
}

TEST(Utf8SequenceLengthTest, LengthOfTheCharacterOrZero) {
  EXPECT_EQ(utf8_sequence_length("a", 0), 1u);
  EXPECT_EQ(utf8_sequence_length("\xC3\xA9", 0), 2u);
  EXPECT_EQ(utf8_sequence_length("\xE2\x82\xAC", 0), 3u);
  EXPECT_EQ(utf8_sequence_length("x\xF0\x9F\x98\x80", 1), 4u);
  EXPECT_EQ(utf8_sequence_length("\xC3\xA9", 1), 0u);  // a continuation byte
  EXPECT_EQ(utf8_sequence_length("\xE2\x82", 0), 0u);  // truncated
  EXPECT_EQ(utf8_sequence_length("\xC0\x80", 0), 0u);  // overlong
}

TEST(IsAsciiTest, AnyHighBitMakesItNotAscii) {
  EXPECT_TRUE(is_ascii(""));
  EXPECT_TRUE(is_ascii("plain text, longer than one word"));
  EXPECT_FALSE(is_ascii("plain text, longer than one word\xC3\xA9"));
  EXPECT_FALSE(is_ascii("\x80"));
}

TEST(CutUtf8Test, NeverSplitsACharacter) {
  EXPECT_EQ(cut_utf8("abc", 10), "abc");
  EXPECT_EQ(cut_utf8("abc", 2), "ab");
  EXPECT_EQ(cut_utf8("a\xC3\xA9", 2), "a");  // not half of é
  EXPECT_EQ(cut_utf8("a\xC3\xA9", 3), "a\xC3\xA9");
  EXPECT_EQ(cut_utf8("\xF0\x9F\x98\x80" "b", 3), "");
  EXPECT_EQ(cut_utf8("\xF0\x9F\x98\x80" "b", 4), "\xF0\x9F\x98\x80");
  EXPECT_EQ(cut_utf8("abc", 0), "");
}

// Decoding: moved from the engine's tests of its own decoder, plus ill-formed input (which now
// decodes as the validator sees it: one U+FFFD per byte that starts no well-formed sequence).
TEST(DecodeUtf8Test, CodePointsAndReplacement) {
  std::u32string out;
  decode_utf8("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", out);
  EXPECT_EQ(out, U"a\u00E9\u20AC\U0001F600");
  decode_utf8("abcdef", out, 3);
  EXPECT_EQ(out, U"abc");
  decode_utf8("\xC0\x80x", out);  // overlong NUL
  EXPECT_EQ(out, U"\uFFFD\uFFFDx");
  decode_utf8("\xED\xA0\x80", out);  // a surrogate
  EXPECT_EQ(out, U"\uFFFD\uFFFD\uFFFD");
  decode_utf8("\xE2\x82", out);  // truncated
  EXPECT_EQ(out, U"\uFFFD\uFFFD");
  decode_utf8("", out);
  EXPECT_TRUE(out.empty());
}

TEST(AppendUtf8Test, RoundTripsEveryScalarValue) {
  std::string text;
  std::u32string back;
  for (char32_t c = 0; c <= 0x10FFFF; c += (c < 0x800 ? 1 : 97)) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    text.clear();
    append_utf8(text, c);
    ASSERT_EQ(text.size(), c < 0x80 ? 1u : c < 0x800 ? 2u : c < 0x10000 ? 3u : 4u);
    ASSERT_TRUE(is_valid_utf8(text)) << static_cast<std::uint32_t>(c);
    decode_utf8(text, back);
    ASSERT_EQ(back, std::u32string(1, c));
  }
}

TEST(AsciiLowercaseTest, FoldsOnlyAToZ) {
  EXPECT_EQ(ascii_lowercase("Application/JSON; Charset=UTF-8"), "application/json; charset=utf-8");
  EXPECT_EQ(ascii_lowercase("@[`{AZaz09"), "@[`{azaz09");
  // UTF-8 (É, Ω) and other high bytes are left as they are.
  EXPECT_EQ(ascii_lowercase("\xC3\x89T\xC3\xA9 \xCE\xA9\xff"), "\xC3\x89t\xC3\xA9 \xCE\xA9\xff");
  EXPECT_EQ(ascii_lowercase(""), "");
}

}  // namespace
}  // namespace oeuvre

namespace oeuvre {
namespace {

TEST(TextChecks, ControlCharactersAndBlankText) {
  EXPECT_FALSE(has_control_characters("Booking Date \xC3\xA9"));
  EXPECT_TRUE(has_control_characters(std::string_view("a\0b", 3)));
  EXPECT_TRUE(has_control_characters("a\x7f"));
  EXPECT_TRUE(has_control_characters("two\nlines"));
  EXPECT_FALSE(has_control_characters("two\r\nlines\tand a tab", true));
  EXPECT_TRUE(has_control_characters("bell\a", true));
  EXPECT_TRUE(is_blank(""));
  EXPECT_TRUE(is_blank(" \t "));
  EXPECT_FALSE(is_blank(" x "));
  EXPECT_FALSE(is_blank("\n"));
}

}  // namespace
}  // namespace oeuvre
