#include "core/uuid.h"

#include <gtest/gtest.h>

#include <chrono>

#include <algorithm>
#include <set>
#include <thread>
#include <unordered_set>
#include <vector>

namespace oeuvre {
namespace {

TEST(UuidTest, DefaultIsNil) {
  const Uuid nil;
  EXPECT_TRUE(nil.is_nil());
  EXPECT_EQ(nil.to_string(), "00000000-0000-0000-0000-000000000000");
  EXPECT_EQ(Uuid::parse("00000000-0000-0000-0000-000000000000"), nil);
}

TEST(UuidTest, GenerateV4HasVersionAndVariant) {
  for (int i = 0; i < 200; ++i) {
    const Uuid id = Uuid::generate_v4();
    EXPECT_FALSE(id.is_nil());
    EXPECT_EQ(id.version(), 4);
    EXPECT_EQ(id.bytes()[8] & 0xC0, 0x80);
    const std::string text = id.to_string();
    EXPECT_EQ(text[14], '4');
    EXPECT_TRUE(text[19] == '8' || text[19] == '9' || text[19] == 'a' || text[19] == 'b') << text;
  }
}

TEST(UuidTest, GenerateV7IsTimeOrderedWithVersionAndVariant) {
  const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::unordered_set<Uuid> seen;
  Uuid previous = Uuid::generate_v7();
  for (int i = 0; i < 2000; ++i) {
    const Uuid id = Uuid::generate_v7();
    EXPECT_EQ(id.version(), 7);
    EXPECT_EQ(id.bytes()[8] & 0xC0, 0x80);
    EXPECT_TRUE(seen.insert(id).second);
    std::uint64_t ms = 0;
    for (int b = 0; b < 6; ++b) ms = (ms << 8) | id.bytes()[static_cast<std::size_t>(b)];
    EXPECT_GE(static_cast<std::int64_t>(ms), before);
    // Ids of a later millisecond sort after earlier ones (same millisecond: random order).
    std::uint64_t previous_ms = 0;
    for (int b = 0; b < 6; ++b) previous_ms = (previous_ms << 8) | previous.bytes()[static_cast<std::size_t>(b)];
    if (ms > previous_ms) {
      EXPECT_LT(previous, id);
    }
    previous = id;
  }
}

TEST(UuidTest, GenerateV4IsUnique) {
  std::unordered_set<Uuid> seen;
  for (int i = 0; i < 10000; ++i) EXPECT_TRUE(seen.insert(Uuid::generate_v4()).second);
}

TEST(UuidTest, GenerateV4IsThreadSafe) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  std::vector<std::vector<Uuid>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&results, t] {
      for (int i = 0; i < kPerThread; ++i) results[t].push_back(Uuid::generate_v4());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<Uuid> all;
  for (const auto& batch : results) all.insert(batch.begin(), batch.end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kThreads * kPerThread));
}

TEST(UuidTest, RoundTripsThroughText) {
  for (int i = 0; i < 100; ++i) {
    const Uuid id = Uuid::generate_v4();
    const auto parsed = Uuid::parse(id.to_string());
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, id);
  }
}

TEST(UuidTest, ParsesKnownValueAndBytes) {
  const auto id = Uuid::parse("1b4e28ba-2fa1-11d2-883f-0016d3cca427");
  ASSERT_TRUE(id.has_value());
  const Uuid::Bytes expected = {0x1b, 0x4e, 0x28, 0xba, 0x2f, 0xa1, 0x11, 0xd2,
                                0x88, 0x3f, 0x00, 0x16, 0xd3, 0xcc, 0xa4, 0x27};
  EXPECT_EQ(id->bytes(), expected);
  EXPECT_EQ(id->version(), 1);
  EXPECT_EQ(Uuid(expected), *id);
}

TEST(UuidTest, ParseIsCaseInsensitiveAndOutputIsLowercase) {
  const auto upper = Uuid::parse("1B4E28BA-2FA1-11D2-883F-0016D3CCA427");
  const auto mixed = Uuid::parse("1b4E28bA-2Fa1-11d2-883F-0016d3CCa427");
  ASSERT_TRUE(upper && mixed);
  EXPECT_EQ(*upper, *mixed);
  EXPECT_EQ(upper->to_string(), "1b4e28ba-2fa1-11d2-883f-0016d3cca427");
}

TEST(UuidTest, ParseRejectsNonCanonicalForms) {
  const char* invalid[] = {
      "",
      "1b4e28ba2fa111d2883f0016d3cca427",        // no hyphens
      "{1b4e28ba-2fa1-11d2-883f-0016d3cca427}",  // braces
      "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427",
      " 1b4e28ba-2fa1-11d2-883f-0016d3cca427",  // whitespace
      "1b4e28ba-2fa1-11d2-883f-0016d3cca427 ",
      "1b4e28ba-2fa1-11d2-883f-0016d3cca42",    // 35 chars
      "1b4e28ba-2fa1-11d2-883f-0016d3cca4277",  // 37 chars
      "1b4e28ba2-fa1-11d2-883f-0016d3cca427",   // hyphen misplaced
      "1b4e28ba-2fa1-11d2-883f_0016d3cca427",   // wrong separator
      "1b4e28ba-2fa1-11d2-883f-0016d3cca42g",   // non-hex
      "1b4e28ba-2fa1-11d2-883f-0016d3cca4-7",   // hyphen in a hex slot
      "+b4e28ba-2fa1-11d2-883f-0016d3cca427",
      "1b4e28ba-2fa1-11d2-883f-0016d3cc\xC3\xA9"
      "27",
  };
  for (const char* text : invalid) EXPECT_FALSE(Uuid::parse(text).has_value()) << text;
  EXPECT_FALSE(Uuid::parse(std::string_view("1b4e28ba-2fa1-11d2-883f-0016d3cca42\0", 36)));
}

TEST(UuidTest, ParseRejectsEachNonHexCharacterInEverySlot) {
  const std::string good = "1b4e28ba-2fa1-11d2-883f-0016d3cca427";
  for (std::size_t at = 0; at < good.size(); ++at) {
    if (good[at] == '-') continue;
    for (const char bad : {'g', 'G', '-', ' ', '\0', '/', ':', '@', '`', '\xff'}) {
      std::string text = good;
      text[at] = bad;
      EXPECT_FALSE(Uuid::parse(text).has_value()) << "slot " << at << " byte " << static_cast<int>(bad);
    }
  }
}

TEST(UuidTest, WriteCharsMatchesToString) {
  for (int i = 0; i < 100; ++i) {
    const Uuid id = Uuid::generate_v7();
    char text[36];
    id.write_chars(text);
    EXPECT_EQ(std::string(text, sizeof text), id.to_string());
  }
}

TEST(UuidTest, OrderMatchesTextOrder) {
  std::vector<Uuid> ids;
  for (int i = 0; i < 500; ++i) ids.push_back(Uuid::generate_v4());
  std::sort(ids.begin(), ids.end());
  for (std::size_t i = 1; i < ids.size(); ++i) {
    EXPECT_LT(ids[i - 1].to_string(), ids[i].to_string());
    EXPECT_TRUE(ids[i - 1] < ids[i]);
    EXPECT_FALSE(ids[i] < ids[i - 1]);
    EXPECT_NE(ids[i - 1], ids[i]);
  }
}

TEST(UuidTest, HashSpreadsSequentialIds) {
  std::unordered_set<std::size_t> hashes;
  for (std::uint8_t i = 0; i < 255; ++i) {
    Uuid::Bytes bytes{};
    bytes[15] = i;
    hashes.insert(std::hash<Uuid>{}(Uuid(bytes)));
  }
  EXPECT_EQ(hashes.size(), 255u);
  const Uuid a = Uuid::generate_v4();
  const Uuid b = *Uuid::parse(a.to_string());
  EXPECT_EQ(std::hash<Uuid>{}(a), std::hash<Uuid>{}(b));
}

TEST(UuidTest, GenerateV7AfterIsStrictlyIncreasingWithinAMillisecond) {
  Uuid previous;
  for (int i = 0; i < 20000; ++i) {
    const Uuid id = Uuid::generate_v7_after(previous);
    EXPECT_EQ(id.version(), 7);
    EXPECT_EQ(id.bytes()[8] & 0xC0, 0x80);
    ASSERT_LT(previous, id) << "at " << i;
    previous = id;
  }
}

TEST(UuidTest, GenerateV7AfterCarriesIntoTheVariantByte) {
  // A previous id far in the future (the clock cannot pass it) whose random bytes 9..15 are all ones.
  const Uuid previous = *Uuid::parse("ffffffff-ffff-7fff-80ff-ffffffffffff");
  const Uuid next = Uuid::generate_v7_after(previous);
  EXPECT_EQ(next.to_string(), "ffffffff-ffff-7fff-8100-000000000000");
}

}  // namespace
}  // namespace oeuvre
