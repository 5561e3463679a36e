#pragma once
// The compact encoding of cached values (what L1 holds and Redis stores): fields one after another,
// integers as zig-zag varints, strings as a varint length and the bytes, times as microseconds
// since the epoch. No field names and no version inside: the reader reads the fields in the order
// the writer wrote them, and the L2 key's prefix carries the format's version (cache.cpp).
//
// Decoding is defensive (the bytes come from Redis): a truncated or malformed value makes the
// decoder fail (ok() false) without reading past the end; the caller then treats the value as a
// miss.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"
#include "core/uuid.h"

namespace oeuvre::cache {

class Encoder {
 public:
  Encoder& integer(std::int64_t value);
  Encoder& text(std::string_view value);
  Encoder& boolean(bool value) { return integer(value ? 1 : 0); }
  Encoder& uuid(const Uuid& value);
  Encoder& time(Timestamp value) { return integer(value.time_since_epoch().count()); }
  Encoder& real(double value);
  // A presence flag, then the value when present.
  template <class T, class Put>
  Encoder& optional(const std::optional<T>& value, Put put) {
    boolean(value.has_value());
    if (value) (this->*put)(*value);
    return *this;
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Decoder {
 public:
  explicit Decoder(std::string_view in) : in_(in) {}
  std::int64_t integer();
  std::string text();
  bool boolean() { return integer() != 0; }
  Uuid uuid();
  Timestamp time() { return Timestamp(std::chrono::microseconds(integer())); }
  double real();
  template <class T, class Get>
  std::optional<T> optional(Get get) {
    if (!boolean()) return std::nullopt;
    return (this->*get)();
  }
  // True when every read so far found what it expected; `finished` also wants nothing left over.
  bool ok() const { return ok_; }
  bool finished() const { return ok_ && in_.empty(); }
  // Marks the value malformed (a caller's own check failed, e.g. an unknown enum name).
  void fail() { ok_ = false; }

 private:
  std::uint64_t varint();
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace oeuvre::cache
