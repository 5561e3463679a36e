#include "observability/trace_context.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace oeuvre::obs {

namespace {

constexpr std::size_t kVersion00Length = 55;  // 2 + 1 + 32 + 1 + 16 + 1 + 2
constexpr char kHex[] = "0123456789abcdef";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // uppercase is invalid in traceparent
}

bool all_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return hex_value(c) >= 0; });
}

bool all_zeros(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == '0'; });
}

std::uint8_t byte_of(std::string_view two_hex) {
  return static_cast<std::uint8_t>(hex_value(two_hex[0]) * 16 + hex_value(two_hex[1]));
}

template <std::size_t N>
std::array<char, N> random_hex_id() {
  std::array<unsigned char, N / 2> bytes{};
  std::array<char, N> id{};
  do {
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
      std::fputs("fatal: OpenSSL RAND_bytes failed; cannot generate trace ids\n", stderr);
      std::abort();
    }
  } while (std::all_of(bytes.begin(), bytes.end(), [](unsigned char b) { return b == 0; }));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    id[2 * i] = kHex[bytes[i] >> 4];
    id[2 * i + 1] = kHex[bytes[i] & 0x0f];
  }
  return id;
}

}  // namespace

std::optional<TraceParent> parse_traceparent(std::string_view h) {
  if (h.size() < kVersion00Length) return std::nullopt;
  const std::string_view version = h.substr(0, 2);
  if (!all_hex(version) || version == "ff") return std::nullopt;
  const std::uint8_t v = byte_of(version);
  if (v == 0 && h.size() != kVersion00Length) return std::nullopt;
  // A later version keeps version 00's fields first; anything after them starts with '-'.
  if (v != 0 && h.size() > kVersion00Length && h[kVersion00Length] != '-') return std::nullopt;
  if (h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  const std::string_view trace_id = h.substr(3, 32);
  const std::string_view parent_id = h.substr(36, 16);
  const std::string_view flags = h.substr(53, 2);
  if (!all_hex(trace_id) || !all_hex(parent_id) || !all_hex(flags)) return std::nullopt;
  if (all_zeros(trace_id) || all_zeros(parent_id)) return std::nullopt;
  TraceParent parsed;
  parsed.version = v;
  std::copy(trace_id.begin(), trace_id.end(), parsed.trace_id.begin());
  std::copy(parent_id.begin(), parent_id.end(), parsed.parent_id.begin());
  parsed.flags = byte_of(flags);
  return parsed;
}

std::string format_traceparent(const TraceId& trace_id, const SpanId& span_id, std::uint8_t flags) {
  std::string out;
  out.reserve(kVersion00Length);
  out += "00-";
  out.append(trace_id.data(), trace_id.size());
  out += '-';
  out.append(span_id.data(), span_id.size());
  out += '-';
  out += kHex[flags >> 4];
  out += kHex[flags & 0x0f];
  return out;
}

TraceId new_trace_id() { return random_hex_id<32>(); }

SpanId new_span_id() { return random_hex_id<16>(); }

RequestTrace RequestTrace::from_header(std::string_view traceparent) {
  RequestTrace trace;
  if (auto parent = parse_traceparent(traceparent)) {
    trace.trace_id = parent->trace_id;
    trace.parent_id = parent->parent_id;
    trace.flags = parent->flags;
  } else {
    trace.trace_id = new_trace_id();
  }
  trace.span_id = new_span_id();
  return trace;
}

std::string RequestTrace::traceparent() const {
  // Version 00 defines the sampled bit only; the others are not passed on as set.
  return format_traceparent(trace_id, span_id, static_cast<std::uint8_t>(flags & 0x01));
}

}  // namespace oeuvre::obs
