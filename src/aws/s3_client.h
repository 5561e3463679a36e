#pragma once
// An S3 (and S3-compatible) client for what backups need: put, multipart upload of a file, get into
// memory or a file, list by prefix, delete. Requests are signed with SigV4 (aws/sigv4.h) and retried
// with exponential backoff and jitter on transport errors, 5xx and 429 (SlowDown); other answers fail
// at once with S3's error code and message. An upload that fails midway is aborted, so no object
// appears: an object exists only once its upload completed.
// Addressing: AWS itself virtual-hosted (https://BUCKET.s3.REGION.amazonaws.com/KEY); a custom
// endpoint (AWS_ENDPOINT_URL: MinIO, s3rver, Ceph...) path-style (ENDPOINT/BUCKET/KEY).
// Thread-safety: const methods are safe for concurrent use.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "aws/credentials.h"
#include "aws/http_client.h"
#include "core/result.h"

namespace oeuvre::aws {

struct S3Options {
  std::string bucket;
  std::string region = "us-east-1";
  std::string endpoint_url;  // empty: AWS
  Credentials credentials;
  int max_attempts = 5;
  std::chrono::milliseconds first_backoff{200};
  std::chrono::milliseconds max_backoff{5'000};
  std::uint64_t part_size = 64u << 20;  // files larger than this go up in parts of this size
  std::chrono::milliseconds connect_timeout{10'000};
};

struct S3Object {
  std::string key;
  std::uint64_t size = 0;
};

class S3Client {
 public:
  // kValidation for a bucket name S3 would refuse or an endpoint that is not a URL.
  static Result<S3Client> create(S3Options options);

  // "s3://bucket" (and the endpoint when not AWS), for messages.
  std::string describe() const;

  Status put_object(const std::string& key, std::string_view body, const std::string& content_type) const;
  // Uploads the file at `path`: one PUT up to part_size, else a multipart upload (aborted on failure).
  Status upload_file(const std::string& key, const std::string& path) const;
  // kNotFound when there is no such object.
  Result<std::string> get_object(const std::string& key) const;
  Status download_to_file(const std::string& key, const std::string& path) const;
  // Every object whose key starts with `prefix`, in key order.
  Result<std::vector<S3Object>> list(const std::string& prefix) const;
  // Deleting a missing object succeeds (as in S3).
  Status remove(const std::string& key) const;

 private:
  struct Call {
    std::string method{};
    std::string key{};  // "" for the bucket itself
    std::vector<std::pair<std::string, std::string>> query{};
    HeaderList headers{};
    std::string_view body{};
    std::string body_file{};
    std::uint64_t body_offset = 0;
    std::uint64_t body_size = 0;
    std::string payload_sha256{};  // "" computes it from the body
    std::string response_file{};
    bool transfer = false;  // a large body: no total timeout
  };

  explicit S3Client(S3Options options, Endpoint endpoint)
      : options_(std::move(options)), endpoint_(std::move(endpoint)) {}
  Result<HttpResponse> send(const Call& call) const;
  Result<HttpResponse> send_once(const Call& call) const;
  Status multipart_upload(const std::string& key, const std::string& path, std::uint64_t size) const;
  Result<std::string> upload_part(const std::string& key, const std::string& upload_id, int number,
                                  const std::string& path, std::uint64_t offset, std::uint64_t size) const;

  S3Options options_;
  Endpoint endpoint_;
  bool path_style_ = true;
};

// The error an S3 answer stands for: kNotFound (404), kForbidden (403), kUnavailable (5xx, 429),
// else kBadRequest; the message names the operation, S3's code and message.
Error s3_error(const std::string& what, const HttpResponse& response);

}  // namespace oeuvre::aws
