#include "cache/codec.h"

#include <cstring>

namespace oeuvre::cache {

Encoder& Encoder::integer(std::int64_t value) {
  // Zig-zag, so small negative numbers stay short too.
  std::uint64_t v =
      (static_cast<std::uint64_t>(value) << 1) ^ static_cast<std::uint64_t>(value >> 63);
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
  return *this;
}

Encoder& Encoder::text(std::string_view value) {
  integer(static_cast<std::int64_t>(value.size()));
  out_.append(value);
  return *this;
}

Encoder& Encoder::uuid(const Uuid& value) {
  out_.append(reinterpret_cast<const char*>(value.bytes().data()), value.bytes().size());
  return *this;
}

Encoder& Encoder::real(double value) {
  char bytes[sizeof value];
  std::memcpy(bytes, &value, sizeof value);
  out_.append(bytes, sizeof bytes);
  return *this;
}

double Decoder::real() {
  double value = 0;
  if (in_.size() < sizeof value) {
    ok_ = false;
    return 0;
  }
  std::memcpy(&value, in_.data(), sizeof value);
  in_.remove_prefix(sizeof value);
  return value;
}

std::uint64_t Decoder::varint() {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in_.empty()) break;
    const auto byte = static_cast<std::uint8_t>(in_.front());
    in_.remove_prefix(1);
    v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return v;
  }
  ok_ = false;
  return 0;
}

std::int64_t Decoder::integer() {
  const std::uint64_t v = varint();
  return static_cast<std::int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

std::string Decoder::text() {
  const std::int64_t size = integer();
  if (!ok_ || size < 0 || static_cast<std::uint64_t>(size) > in_.size()) {
    ok_ = false;
    return {};
  }
  std::string out(in_.substr(0, static_cast<std::size_t>(size)));
  in_.remove_prefix(static_cast<std::size_t>(size));
  return out;
}

Uuid Decoder::uuid() {
  Uuid::Bytes bytes{};
  if (in_.size() < bytes.size()) {
    ok_ = false;
    return Uuid{};
  }
  std::memcpy(bytes.data(), in_.data(), bytes.size());
  in_.remove_prefix(bytes.size());
  return Uuid(bytes);
}

}  // namespace oeuvre::cache
