#include "aws/sigv4.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "security/crypto.h"

namespace oeuvre::aws {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Header values are signed trimmed, with runs of spaces as one space.
std::string canonical_value(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string encoded_query(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) encoded.emplace_back(uri_encode(name, false), uri_encode(value, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name + "=" + value;
  }
  return out;
}

// Lowercased names, sorted; values canonical. Names that repeat are joined with ','.
HeaderList canonical_headers(const HeaderList& headers) {
  HeaderList out;
  for (const auto& [name, value] : headers) out.emplace_back(lower(name), canonical_value(value));
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  HeaderList merged;
  for (auto& header : out) {
    if (!merged.empty() && merged.back().first == header.first) {
      merged.back().second += "," + header.second;
    } else {
      merged.push_back(std::move(header));
    }
  }
  return merged;
}

std::string signed_header_names(const HeaderList& canonical) {
  std::string out;
  for (const auto& header : canonical) {
    if (!out.empty()) out += ';';
    out += header.first;
  }
  return out;
}

std::string scope_text(const SigningScope& scope) {
  return amz_date(scope.at).substr(0, 8) + "/" + scope.region + "/" + scope.service + "/aws4_request";
}

}  // namespace

std::string amz_date(Timestamp at) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(at);
  const auto day = std::chrono::floor<std::chrono::days>(seconds);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{seconds - day};
  char text[32];
  std::snprintf(text, sizeof text, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return text;
}

std::string canonical_request(const SignableRequest& request, const SigningScope& scope,
                              const HeaderList& signed_headers) {
  const HeaderList canonical = canonical_headers(signed_headers);
  // S3 signs the path as sent; every other service signs it encoded once more.
  std::string path = uri_encode(request.path, true);
  if (scope.service != "s3") path = uri_encode(path, true);
  std::string out = request.method + "\n" + path + "\n" + encoded_query(request.query) + "\n";
  for (const auto& [name, value] : canonical) out += name + ":" + value + "\n";
  out += "\n" + signed_header_names(canonical) + "\n" + request.payload_sha256_hex;
  return out;
}

std::string string_to_sign(const std::string& canonical, const SigningScope& scope) {
  return std::string(kAlgorithm) + "\n" + amz_date(scope.at) + "\n" + scope_text(scope) + "\n" +
         security::sha256_hex(canonical);
}

SignedRequest sign(const SignableRequest& request, const Credentials& credentials, const SigningScope& scope) {
  HeaderList headers = request.headers;
  headers.emplace_back("host", request.host);
  headers.emplace_back("x-amz-date", amz_date(scope.at));
  if (scope.service == "s3") headers.emplace_back("x-amz-content-sha256", request.payload_sha256_hex);
  if (!credentials.session_token.empty()) headers.emplace_back("x-amz-security-token", credentials.session_token);

  const std::string canonical = canonical_request(request, scope, headers);
  const std::string to_sign = string_to_sign(canonical, scope);
  std::string key = security::hmac_sha256("AWS4" + credentials.secret_access_key, amz_date(scope.at).substr(0, 8));
  key = security::hmac_sha256(key, scope.region);
  key = security::hmac_sha256(key, scope.service);
  key = security::hmac_sha256(key, "aws4_request");
  const std::string signature = security::hex_encode(security::hmac_sha256(key, to_sign));

  const std::string names = signed_header_names(canonical_headers(headers));
  SignedRequest signed_request;
  signed_request.encoded_path = uri_encode(request.path, true);
  signed_request.encoded_query = encoded_query(request.query);
  headers.emplace_back("authorization", std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                                            scope_text(scope) + ", SignedHeaders=" + names +
                                            ", Signature=" + signature);
  signed_request.headers = std::move(headers);
  return signed_request;
}

}  // namespace oeuvre::aws
