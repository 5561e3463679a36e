#pragma once
// AWS Signature Version 4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html):
// the one place requests to AWS and AWS-compatible services (S3, Secrets Manager) are signed.
// A request is described unencoded; sign() produces the headers to send with it, and the encoded
// path and query the request must be sent with (the signature covers exactly those bytes).
// Thread-safety: pure functions, safe for concurrent use.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/credentials.h"
#include "core/time.h"
#include "core/uri_encoding.h"  // uri_encode: paths as sent, query names and values

namespace oeuvre::aws {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct SignableRequest {
  std::string method;  // "GET", "PUT", ...
  std::string host;    // the Host header: host[:port]
  std::string path;    // unencoded, starting with '/': "/bucket/backups/x y.json"
  std::vector<std::pair<std::string, std::string>> query;  // unencoded names and values
  HeaderList headers;  // further headers to send and sign (content-type, x-amz-target, ...)
  std::string payload_sha256_hex;  // of the body ("e3b0..." for none), or "UNSIGNED-PAYLOAD"
};

struct SigningScope {
  std::string region;   // "us-east-1"
  std::string service;  // "s3", "secretsmanager"
  Timestamp at;         // the request time (X-Amz-Date)
};

struct SignedRequest {
  std::string encoded_path;   // send exactly this path
  std::string encoded_query;  // and this query ("" or "a=1&b=2", without '?')
  HeaderList headers;         // every header to send: the request's, host, x-amz-date, ... and authorization
};

// The pieces, exposed for tests: the canonical request and the string to sign.
std::string canonical_request(const SignableRequest& request, const SigningScope& scope,
                              const HeaderList& signed_headers);
std::string string_to_sign(const std::string& canonical, const SigningScope& scope);

// Signs `request`. S3 (scope.service == "s3") also gets x-amz-content-sha256. A session token is sent
// and signed as x-amz-security-token.
SignedRequest sign(const SignableRequest& request, const Credentials& credentials, const SigningScope& scope);

// "20261206T101500Z" and "20261206".
std::string amz_date(Timestamp at);

}  // namespace oeuvre::aws
