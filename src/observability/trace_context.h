#pragma once
// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header a request may
// carry, and the ids the server gives each request. A trace id names the whole distributed
// operation; a span id names one hop of it (here: this server's handling of one request).
//
//   traceparent: 00-<trace-id: 32 hex>-<parent-id: 16 hex>-<trace-flags: 2 hex>
//
// Value types, no shared state: safe for concurrent use.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace oeuvre::obs {

// Lowercase hex digits, never all zeros (the spec's invalid value).
using TraceId = std::array<char, 32>;
using SpanId = std::array<char, 16>;

inline std::string_view view_of(const TraceId& id) { return {id.data(), id.size()}; }
inline std::string_view view_of(const SpanId& id) { return {id.data(), id.size()}; }

// What a valid `traceparent` header says.
struct TraceParent {
  std::uint8_t version = 0;
  TraceId trace_id{};
  SpanId parent_id{};
  std::uint8_t flags = 0;  // bit 0: sampled; the other bits are not defined by version 00
};

// Parses a `traceparent` value strictly, as the spec's receivers must:
//   - lowercase hex only; fields separated by single '-';
//   - version "ff" is invalid; version 00 is exactly 55 characters; a later version (01-fe) is
//     read by version 00's layout, and may only continue after the flags with '-' (its own fields);
//   - a trace id or parent id of all zeros is invalid.
// nullopt for anything else: the caller then starts a new trace (never refuses the request).
std::optional<TraceParent> parse_traceparent(std::string_view header);

// "00-<trace_id>-<span_id>-<flags as 2 hex>".
std::string format_traceparent(const TraceId& trace_id, const SpanId& span_id, std::uint8_t flags);

// Random ids (OpenSSL's RAND_bytes), never all zeros.
TraceId new_trace_id();
SpanId new_span_id();

// One request's place in a trace: the trace it belongs to (the caller's, else a new one), the span
// this server opened for it, and the caller's span (when the trace came with the request).
struct RequestTrace {
  TraceId trace_id{};
  SpanId span_id{};
  std::optional<SpanId> parent_id;
  std::uint8_t flags = 0;

  // From a request's `traceparent` value ("" when absent): the caller's trace when the value is
  // valid, else a new trace (sampled flag off: nothing upstream asked for it).
  static RequestTrace from_header(std::string_view traceparent);
  // The `traceparent` the response (or an outgoing call made for the request) carries: this
  // server's span as the parent, the trace's flags (version 00 defines the sampled bit only).
  std::string traceparent() const;
};

}  // namespace oeuvre::obs
