#include "aws/s3_client.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "aws/xml_text.h"
#include "observability/log.h"
#include "security/crypto.h"

namespace oeuvre::aws {

namespace {

constexpr std::string_view kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr int kMaxParts = 10'000;
constexpr std::size_t kMaxListedObjects = 1'000'000;

bool valid_bucket(const std::string& bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  return std::all_of(bucket.begin(), bucket.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' ||
           c == '.';
  });
}

bool valid_region(const std::string& region) {
  return !region.empty() && region.size() <= 32 && std::all_of(region.begin(), region.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-';
  });
}

bool retryable(const Result<HttpResponse>& response) {
  if (!response.ok()) return response.error().code() == ErrorCode::kUnavailable;
  return response->status >= 500 || response->status == 429;
}

bool success(const HttpResponse& response) { return response.status >= 200 && response.status < 300; }

Result<std::string> sha256_of_file_range(const std::string& path, std::uint64_t offset, std::uint64_t size) {
  std::ifstream in(path, std::ios::binary);
  if (!in || !in.seekg(static_cast<std::streamoff>(offset))) return Error::Unavailable("cannot read " + path);
  security::Sha256Stream sha;
  std::vector<char> buffer(1 << 20);
  while (size > 0) {
    const auto want = static_cast<std::streamsize>(std::min<std::uint64_t>(size, buffer.size()));
    if (!in.read(buffer.data(), want)) return Error::Unavailable("cannot read " + path + " (it changed?)");
    sha.update(std::string_view(buffer.data(), static_cast<std::size_t>(want)));
    size -= static_cast<std::uint64_t>(want);
  }
  return sha.finish_hex();
}

}  // namespace

Error s3_error(const std::string& what, const HttpResponse& response) {
  const std::string code = xml_text(response.body, "Code").value_or("");
  const std::string message = xml_text(response.body, "Message").value_or("");
  std::string text = what + ": HTTP " + std::to_string(response.status);
  if (!code.empty()) text += " " + code;
  if (!message.empty()) text += " (" + message + ")";
  if (response.status == 404) return Error::NotFound(text);
  if (response.status == 403) return Error::Forbidden(text);
  if (response.status >= 500 || response.status == 429) return Error::Unavailable(text);
  return Error::BadRequest(text);
}

Result<S3Client> S3Client::create(S3Options options) {
  if (!valid_bucket(options.bucket)) {
    return Error::Validation("BACKUP_S3_BUCKET", "must be 3 to 63 lowercase letters, digits, '.' or '-'");
  }
  if (!valid_region(options.region)) return Error::Validation("AWS_REGION", "is not a region name");
  if (options.max_attempts < 1) options.max_attempts = 1;
  options.part_size = std::max<std::uint64_t>(options.part_size, 5u << 20);  // S3's minimum part
  if (options.endpoint_url.empty()) {
    Endpoint endpoint{"https", options.bucket + ".s3." + options.region + ".amazonaws.com", ""};
    S3Client client(std::move(options), std::move(endpoint));
    client.path_style_ = false;
    return client;
  }
  auto endpoint = parse_endpoint(options.endpoint_url);
  if (!endpoint.ok()) return Error::Validation("AWS_ENDPOINT_URL", endpoint.error().message());
  return S3Client(std::move(options), std::move(endpoint).value());
}

std::string S3Client::describe() const {
  std::string text = "s3://" + options_.bucket;
  if (!options_.endpoint_url.empty()) text += " at " + options_.endpoint_url;
  return text;
}

Result<HttpResponse> S3Client::send_once(const Call& call) const {
  SignableRequest request;
  request.method = call.method;
  request.host = endpoint_.authority;
  request.path = endpoint_.base_path + (path_style_ ? "/" + options_.bucket : "") + "/" + call.key;
  if (path_style_ && call.key.empty()) request.path.pop_back();  // "/bucket", not "/bucket/"
  request.query = call.query;
  request.headers = call.headers;
  if (!call.payload_sha256.empty()) {
    request.payload_sha256_hex = call.payload_sha256;
  } else {
    request.payload_sha256_hex = call.body.empty() ? std::string(kEmptySha256) : security::sha256_hex(call.body);
  }
  const SignedRequest signed_request = sign(request, options_.credentials, {options_.region, "s3", now_utc()});

  HttpRequest http;
  http.method = call.method;
  http.url = endpoint_.scheme + "://" + endpoint_.authority + signed_request.encoded_path;
  if (!signed_request.encoded_query.empty()) http.url += "?" + signed_request.encoded_query;
  http.headers = signed_request.headers;
  http.body = call.body;
  http.body_file = call.body_file;
  http.body_offset = call.body_offset;
  http.body_size = call.body_size;
  http.response_file = call.response_file;
  http.connect_timeout = options_.connect_timeout;
  if (call.transfer) http.total_timeout = std::chrono::milliseconds(0);
  return perform(http);
}

Result<HttpResponse> S3Client::send(const Call& call) const {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  std::chrono::milliseconds backoff = options_.first_backoff;
  for (int attempt = 1;; ++attempt) {
    Result<HttpResponse> response = send_once(call);
    const bool retry = attempt < options_.max_attempts && retryable(response);
    if (retryable(response)) {
      // Each failed attempt, with the request or job it was made for (the thread's log context).
      obs::log_outgoing_error("s3", call.method,
                              response.ok() ? "HTTP " + std::to_string(response->status) : response.error().message(),
                              {{"key", call.key}, {"attempt", attempt}, {"retrying", retry}});
    }
    if (!retry) {
      if (response.ok() || response.error().code() != ErrorCode::kUnavailable) return response;
      return Error::Unavailable(call.method + " " + describe() + "/" + call.key + ": " + response.error().message() +
                                " (" + std::to_string(attempt) + " attempts)");
    }
    // Full jitter between half the backoff and the backoff, so retrying nodes spread out.
    std::uniform_int_distribution<long> jitter(backoff.count() / 2, backoff.count());
    std::this_thread::sleep_for(std::chrono::milliseconds(jitter(random)));
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

Status S3Client::put_object(const std::string& key, std::string_view body, const std::string& content_type) const {
  Call call{.method = "PUT", .key = key, .headers = {{"content-type", content_type}}, .body = body};
  ASSIGN_OR_RETURN(HttpResponse response, send(call));
  if (!success(response)) return s3_error("PUT " + key, response);
  return OkStatus();
}

Status S3Client::upload_file(const std::string& key, const std::string& path) const {
  std::error_code ec;
  const std::uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return Error::Unavailable("cannot read " + path + ": " + ec.message());
  if (size > options_.part_size) return multipart_upload(key, path, size);
  ASSIGN_OR_RETURN(std::string sha256, sha256_of_file_range(path, 0, size));
  Call call{.method = "PUT",
            .key = key,
            .headers = {{"content-type", "application/octet-stream"}},
            .body_file = path,
            .body_offset = 0,
            .body_size = size,
            .payload_sha256 = sha256,
            .transfer = true};
  ASSIGN_OR_RETURN(HttpResponse response, send(call));
  if (!success(response)) return s3_error("PUT " + key, response);
  return OkStatus();
}

Result<std::string> S3Client::upload_part(const std::string& key, const std::string& upload_id, int number,
                                          const std::string& path, std::uint64_t offset, std::uint64_t size) const {
  ASSIGN_OR_RETURN(std::string sha256, sha256_of_file_range(path, offset, size));
  Call call{.method = "PUT",
            .key = key,
            .query = {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}},
            .body_file = path,
            .body_offset = offset,
            .body_size = size,
            .payload_sha256 = sha256,
            .transfer = true};
  ASSIGN_OR_RETURN(HttpResponse response, send(call));
  if (!success(response)) return s3_error("upload part " + std::to_string(number) + " of " + key, response);
  std::string etag = response.header("etag");
  if (etag.empty()) return Error::Unavailable("S3 answered part " + std::to_string(number) + " of " + key + " without an ETag");
  return etag;
}

Status S3Client::multipart_upload(const std::string& key, const std::string& path, std::uint64_t size) const {
  Call start{.method = "POST", .key = key, .query = {{"uploads", ""}}, .headers = {{"content-type", "application/octet-stream"}}};
  ASSIGN_OR_RETURN(HttpResponse started, send(start));
  if (!success(started)) return s3_error("start the upload of " + key, started);
  const std::optional<std::string> upload_id = xml_text(started.body, "UploadId");
  if (!upload_id || upload_id->empty()) return Error::Unavailable("S3 started an upload of " + key + " without an UploadId");

  const std::uint64_t part_size = std::max<std::uint64_t>(options_.part_size, (size + kMaxParts - 1) / kMaxParts);
  Status uploaded = [&]() -> Status {
    std::string complete = "<CompleteMultipartUpload>";
    int number = 1;
    for (std::uint64_t offset = 0; offset < size; offset += part_size, ++number) {
      const std::uint64_t length = std::min(part_size, size - offset);
      ASSIGN_OR_RETURN(std::string etag, upload_part(key, *upload_id, number, path, offset, length));
      complete += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" + etag + "</ETag></Part>";
    }
    complete += "</CompleteMultipartUpload>";
    Call finish{.method = "POST",
                .key = key,
                .query = {{"uploadId", *upload_id}},
                .headers = {{"content-type", "application/xml"}},
                .body = complete};
    ASSIGN_OR_RETURN(HttpResponse finished, send(finish));
    // S3 may answer 200 and report the failure in the body.
    if (!success(finished) || !xml_elements(finished.body, "Error").empty()) {
      return s3_error("complete the upload of " + key, finished);
    }
    return OkStatus();
  }();
  if (!uploaded.ok()) {
    Call abort{.method = "DELETE", .key = key, .query = {{"uploadId", *upload_id}}};
    auto aborted = send(abort);
    if (!aborted.ok() || !success(*aborted)) {
      obs::log_outgoing_error("s3", "abort multipart upload",
                              aborted.ok() ? "HTTP " + std::to_string(aborted->status) : aborted.error().message(),
                              {{"key", key},
                               {"consequence", "the parts stay until a lifecycle rule for incomplete uploads removes them"}});
    }
  }
  return uploaded;
}

Result<std::string> S3Client::get_object(const std::string& key) const {
  ASSIGN_OR_RETURN(HttpResponse response, send(Call{.method = "GET", .key = key}));
  if (!success(response)) return s3_error("GET " + key, response);
  return std::move(response.body);
}

Status S3Client::download_to_file(const std::string& key, const std::string& path) const {
  ASSIGN_OR_RETURN(HttpResponse response,
                   send(Call{.method = "GET", .key = key, .response_file = path, .transfer = true}));
  if (!success(response)) return s3_error("GET " + key, response);
  return OkStatus();
}

Result<std::vector<S3Object>> S3Client::list(const std::string& prefix) const {
  std::vector<S3Object> objects;
  std::string token;
  while (true) {
    Call call{.method = "GET", .query = {{"list-type", "2"}, {"prefix", prefix}}};
    if (!token.empty()) call.query.emplace_back("continuation-token", token);
    ASSIGN_OR_RETURN(HttpResponse response, send(call));
    if (!success(response)) return s3_error("list " + describe() + "/" + prefix, response);
    for (std::string_view contents : xml_elements(response.body, "Contents")) {
      S3Object object;
      object.key = xml_text(contents, "Key").value_or("");
      object.size = std::strtoull(xml_text(contents, "Size").value_or("0").c_str(), nullptr, 10);
      if (!object.key.empty()) objects.push_back(std::move(object));
    }
    if (objects.size() > kMaxListedObjects) return Error::Unavailable("more than a million objects under " + prefix);
    if (xml_text(response.body, "IsTruncated").value_or("false") != "true") break;
    token = xml_text(response.body, "NextContinuationToken").value_or("");
    if (token.empty()) return Error::Unavailable("S3 said a listing was truncated but gave no continuation token");
  }
  std::sort(objects.begin(), objects.end(), [](const S3Object& a, const S3Object& b) { return a.key < b.key; });
  return objects;
}

Status S3Client::remove(const std::string& key) const {
  ASSIGN_OR_RETURN(HttpResponse response, send(Call{.method = "DELETE", .key = key}));
  if (!success(response) && response.status != 404) return s3_error("DELETE " + key, response);
  return OkStatus();
}

}  // namespace oeuvre::aws
