#include "cache/codec.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace oeuvre::cache {
namespace {

std::string sample() {
  const Uuid id = Uuid::parse("0b9e7a52-3f1c-4a8e-9d2f-6c1b5e4a3d20").value();
  return Encoder()
      .integer(0)
      .integer(-1)
      .integer(std::numeric_limits<std::int64_t>::min())
      .integer(std::numeric_limits<std::int64_t>::max())
      .text(std::string("a\0b", 3))
      .boolean(true)
      .uuid(id)
      .time(Timestamp(std::chrono::microseconds(1'796'565'714'123'456)))
      .real(0.55)
      .optional(std::optional<std::string>("x"), &Encoder::text)
      .optional(std::optional<Uuid>(), &Encoder::uuid)
      .take();
}

TEST(CodecTest, WhatIsWrittenIsReadBackInOrder) {
  const std::string bytes = sample();
  Decoder in(bytes);
  EXPECT_EQ(in.integer(), 0);
  EXPECT_EQ(in.integer(), -1);
  EXPECT_EQ(in.integer(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(in.integer(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(in.text(), std::string("a\0b", 3));
  EXPECT_TRUE(in.boolean());
  EXPECT_EQ(in.uuid().to_string(), "0b9e7a52-3f1c-4a8e-9d2f-6c1b5e4a3d20");
  EXPECT_EQ(in.time().time_since_epoch().count(), 1'796'565'714'123'456);
  EXPECT_EQ(in.real(), 0.55);
  EXPECT_EQ(in.optional<std::string>(&Decoder::text), std::optional<std::string>("x"));
  EXPECT_EQ(in.optional<Uuid>(&Decoder::uuid), std::nullopt);
  EXPECT_TRUE(in.finished());
}

// Bytes from Redis may be cut or damaged: a cut anywhere is noticed, never read past.
TEST(CodecTest, ATruncatedValueFailsWithoutReadingPastItsEnd) {
  const std::string bytes = sample();
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    const std::string part = bytes.substr(0, cut);
    Decoder in(part);
    in.integer(), in.integer(), in.integer(), in.integer(), in.text(), in.boolean(), in.uuid(), in.time(),
        in.real(), in.optional<std::string>(&Decoder::text), in.optional<Uuid>(&Decoder::uuid);
    EXPECT_FALSE(in.finished()) << "cut at " << cut;
  }
  // A length beyond what is left, and a varint that never ends.
  const std::string too_long_bytes = Encoder().integer(1000).take() + "abc";
  Decoder too_long(too_long_bytes);
  EXPECT_EQ(too_long.text(), "");
  EXPECT_FALSE(too_long.ok());
  const std::string endless_bytes(20, '\xff');
  Decoder endless(endless_bytes);
  endless.integer();
  EXPECT_FALSE(endless.ok());
}

}  // namespace
}  // namespace oeuvre::cache
