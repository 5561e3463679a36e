#pragma once
// A small HTTP client on libcurl for the calls Œuvre makes to AWS and AWS-compatible services: a body
// from memory or from a range of a file, a response into memory (bounded) or into a file. Transport
// failures (refused, reset, timed out, TLS) are kUnavailable with curl's reason; any HTTP status is a
// response, for the caller to judge. Thread-safety: perform() is safe for concurrent use (one curl
// handle per call).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/sigv4.h"
#include "core/result.h"

namespace oeuvre::aws {

struct HttpRequest {
  std::string method = "GET";
  std::string url;     // scheme://host[:port]/encoded-path[?encoded-query]
  HeaderList headers;  // sent as given (curl adds none that matter: no Expect)
  std::string_view body;        // the body, unless body_file is set; must outlive perform()
  std::string body_file;        // the body is bytes [body_offset, body_offset + body_size) of this file
  std::uint64_t body_offset = 0;
  std::uint64_t body_size = 0;
  std::string response_file;    // a 2xx response body is written here (created or truncated) instead of memory
  std::chrono::milliseconds connect_timeout{10'000};
  // A small call (total_timeout > 0) must end within it. A transfer (0) may take as long as it keeps
  // moving: it fails when slower than 1 KiB/s for stall_timeout.
  std::chrono::milliseconds total_timeout{30'000};
  std::chrono::seconds stall_timeout{60};
};

struct HttpResponse {
  long status = 0;
  HeaderList headers;  // names lowercased
  std::string body;    // at most kMaxResponseBody bytes; empty when written to response_file

  // The first value of `name` (lowercase), or "".
  std::string header(std::string_view name) const;
};

inline constexpr std::size_t kMaxResponseBody = 16u << 20;

Result<HttpResponse> perform(const HttpRequest& request);

// "host" or "host:port" (a non-default port), from "http[s]://host[:port][/...]". kBadRequest when the
// URL is not http(s) or has no host.
struct Endpoint {
  std::string scheme;     // "http" or "https"
  std::string authority;  // the Host header
  std::string base_path;  // "" or "/prefix" (without trailing '/')
};
Result<Endpoint> parse_endpoint(std::string_view url);

}  // namespace oeuvre::aws
