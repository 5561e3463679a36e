#include "bank/text_encoding.h"

#include <gtest/gtest.h>

namespace oeuvre::bank {
namespace {

TEST(Windows1252, MapsTheBytesThatDifferFromLatin1) {
  EXPECT_EQ(windows_1252_code_point(0x41), U'A');
  EXPECT_EQ(windows_1252_code_point(0x80), U'\u20AC');  // euro sign
  EXPECT_EQ(windows_1252_code_point(0x93), U'\u201C');  // left double quotation mark
  EXPECT_EQ(windows_1252_code_point(0x9F), U'\u0178');  // Y with diaeresis
  EXPECT_EQ(windows_1252_code_point(0xA0), U'\u00A0');  // from here on, as ISO-8859-1
  EXPECT_EQ(windows_1252_code_point(0xFC), U'\u00FC');
  for (unsigned char undefined : {0x81, 0x8D, 0x8F, 0x90, 0x9D})
    EXPECT_EQ(windows_1252_code_point(undefined), U'\uFFFD') << int{undefined};
}

TEST(Windows1252, TextBecomesValidUtf8) {
  EXPECT_EQ(windows_1252_to_utf8("M\xFCller \x80 5 \x81"), "M\u00FCller \u20AC 5 \uFFFD");
  EXPECT_EQ(windows_1252_to_utf8("plain"), "plain");
  EXPECT_EQ(windows_1252_to_utf8(""), "");
}

TEST(Latin1, EveryByteIsItsOwnCodePoint) {
  EXPECT_EQ(latin1_to_utf8("M\xFCller \x80"), "M\u00FCller \u0080");
}

TEST(CharsetNamed, ReadsTheNamesBanksWrite) {
  EXPECT_EQ(charset_named("UTF-8"), Charset::kUtf8);
  EXPECT_EQ(charset_named(" utf8 "), Charset::kUtf8);
  EXPECT_EQ(charset_named("1252"), Charset::kWindows1252);
  EXPECT_EQ(charset_named("windows-1252"), Charset::kWindows1252);
  EXPECT_EQ(charset_named("x-cp1252"), Charset::kWindows1252);
  EXPECT_EQ(charset_named("ISO-8859-1"), Charset::kLatin1);
  EXPECT_EQ(charset_named("latin1"), Charset::kLatin1);
  EXPECT_EQ(charset_named("EBCDIC-CP-US"), Charset::kUnknown);
  EXPECT_EQ(charset_named("NONE"), Charset::kUnknown);
  EXPECT_EQ(charset_named(""), Charset::kUnknown);
}

}  // namespace
}  // namespace oeuvre::bank
