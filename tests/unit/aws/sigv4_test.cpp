// SigV4 signing checked against an independent implementation: python3-botocore signs the same
// requests (tests/support/sigv4_botocore.py) and the Authorization headers must be identical. Also
// the pieces: URI encoding, the date form, the headers sent.
#include "aws/sigv4.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "security/crypto.h"

namespace oeuvre::aws {
namespace {

namespace json = boost::json;

struct Case {
  std::string scheme_host;  // "http://127.0.0.1:9000"
  SignableRequest request;
  std::string body;
  SigningScope scope;
  Credentials credentials;
};

Timestamp at(int seconds_after_2026_12_06) {
  using namespace std::chrono;
  return Timestamp(sys_days(2026y / December / 6)) + seconds(seconds_after_2026_12_06);
}

std::vector<Case> cases() {
  const Credentials plain{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  const Credentials temporary{"ASIAEXAMPLE", "secret/with+chars", "FwoGZXIvYXdzEJr//////////token=="};
  std::vector<Case> out;
  const std::string body = "hello, archive";
  out.push_back({"http://127.0.0.1:9000",
                 {"PUT", "127.0.0.1:9000", "/oeuvre-backups/backups/20261206T101500Z-abcdef.oeuvre-backup",
                  {}, {{"content-type", "application/octet-stream"}}, security::sha256_hex(body)},
                 body, {"us-east-1", "s3", at(36900)}, plain});
  out.push_back({"https://bucket.s3.eu-west-3.amazonaws.com",
                 {"GET", "bucket.s3.eu-west-3.amazonaws.com", "/",
                  {{"list-type", "2"}, {"prefix", "backups/été 2026/"}, {"continuation-token", "1a+b/c=d"}},
                  {}, security::sha256_hex("")},
                 "", {"eu-west-3", "s3", at(1)}, temporary});
  out.push_back({"http://localhost:4568",
                 {"POST", "localhost:4568", "/b/k ey/with spaces & (parens)~.json", {{"uploads", ""}},
                  {{"content-type", "application/octet-stream"}}, security::sha256_hex("")},
                 "", {"us-east-1", "s3", at(86399)}, plain});
  const std::string secret_body = R"({"SecretId":"prod/db","VersionStage":"AWSCURRENT"})";
  out.push_back({"https://secretsmanager.eu-central-1.amazonaws.com",
                 {"POST", "secretsmanager.eu-central-1.amazonaws.com", "/", {},
                  {{"content-type", "application/x-amz-json-1.1"}, {"x-amz-target", "secretsmanager.GetSecretValue"}},
                  security::sha256_hex(secret_body)},
                 secret_body, {"eu-central-1", "secretsmanager", at(12345)}, temporary});
  return out;
}

json::object to_json(const Case& c) {
  json::object headers;
  for (const auto& [name, value] : c.request.headers) headers[name] = value;
  json::object params;
  for (const auto& [name, value] : c.request.query) params[name] = value;
  return {{"method", c.request.method},
          {"url", c.scheme_host + uri_encode(c.request.path, true)},
          {"params", params},
          {"headers", headers},
          {"body", c.body},
          {"region", c.scope.region},
          {"service", c.scope.service},
          {"access_key", c.credentials.access_key_id},
          {"secret_key", c.credentials.secret_access_key},
          {"token", c.credentials.session_token},
          {"amz_date", amz_date(c.scope.at)}};
}

std::string header(const SignedRequest& signed_request, const std::string& name) {
  for (const auto& [n, v] : signed_request.headers) {
    if (n == name) return v;
  }
  return "";
}

TEST(SigV4Test, AuthorizationMatchesBotocoreForS3AndSecretsManagerRequests) {
  json::array input;
  for (const Case& c : cases()) input.push_back(to_json(c));
  const auto dir = std::filesystem::temp_directory_path();
  const std::string in_path = (dir / ("sigv4-cases-" + std::to_string(std::random_device{}()) + ".json")).string();
  std::ofstream(in_path) << json::serialize(input);
  const std::string command =
      "/usr/bin/python3 " OEUVRE_SOURCE_DIR "/tests/support/sigv4_botocore.py < " + in_path + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = ::pclose(pipe);
  std::filesystem::remove(in_path);
  ASSERT_EQ(status, 0) << "python3-botocore is needed (scripts/setup.sh installs it):\n" << output;

  std::istringstream lines(output);
  for (const Case& c : cases()) {
    std::string expected;
    ASSERT_TRUE(std::getline(lines, expected)) << output;
    const SignedRequest signed_request = sign(c.request, c.credentials, c.scope);
    EXPECT_EQ(header(signed_request, "authorization"), expected) << c.request.method << " " << c.request.path;
  }
}

TEST(SigV4Test, TheRequestCarriesWhatWasSigned) {
  const Case c = cases()[1];
  const SignedRequest s = sign(c.request, c.credentials, c.scope);
  EXPECT_EQ(s.encoded_path, "/");
  EXPECT_EQ(s.encoded_query, "continuation-token=1a%2Bb%2Fc%3Dd&list-type=2&prefix=backups%2F%C3%A9t%C3%A9%202026%2F");
  EXPECT_EQ(header(s, "host"), "bucket.s3.eu-west-3.amazonaws.com");
  EXPECT_EQ(header(s, "x-amz-date"), "20261206T000001Z");
  EXPECT_EQ(header(s, "x-amz-content-sha256"), security::sha256_hex(""));
  EXPECT_EQ(header(s, "x-amz-security-token"), c.credentials.session_token);
  EXPECT_NE(header(s, "authorization").find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token"),
            std::string::npos);
  EXPECT_EQ(header(s, "authorization").find(c.credentials.secret_access_key), std::string::npos);
  // Secrets Manager has no content-sha256 header.
  const SignedRequest sm = sign(cases()[3].request, cases()[3].credentials, cases()[3].scope);
  EXPECT_EQ(header(sm, "x-amz-content-sha256"), "");
}

TEST(SigV4Test, UriEncodingKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(uri_encode("a-z_A.Z~09", false), "a-z_A.Z~09");
  EXPECT_EQ(uri_encode("a/b c+d=é*", false), "a%2Fb%20c%2Bd%3D%C3%A9%2A");
  EXPECT_EQ(uri_encode("/a/b c", true), "/a/b%20c");
  EXPECT_EQ(amz_date(at(3600 * 23 + 60 * 59 + 59)), "20261206T235959Z");
}

}  // namespace
}  // namespace oeuvre::aws
