#include "aws/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <memory>
#include <mutex>

namespace oeuvre::aws {

namespace {

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

struct Transfer {
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  std::string_view memory_body;
  std::size_t memory_pos = 0;
  std::FILE* body_file = nullptr;
  std::uint64_t body_left = 0;
  std::FILE* response_file = nullptr;
  bool too_large = false;
  bool write_failed = false;
};

std::size_t read_body(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t room = size * count;
  if (t->body_file == nullptr) {
    const std::size_t n = std::min(room, t->memory_body.size() - t->memory_pos);
    std::copy_n(t->memory_body.data() + t->memory_pos, n, buffer);
    t->memory_pos += n;
    return n;
  }
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(room, t->body_left));
  if (want == 0) return 0;
  const std::size_t n = std::fread(buffer, 1, want, t->body_file);
  if (n == 0) return CURL_READFUNC_ABORT;  // the file shrank: never send a short body as complete
  t->body_left -= n;
  return n;
}

std::size_t write_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  const long status = t->response->status;
  if (t->response_file != nullptr && status >= 200 && status < 300) {
    if (std::fwrite(data, 1, n, t->response_file) != n) {
      t->write_failed = true;
      return 0;
    }
    return n;
  }
  if (t->response->body.size() + n > kMaxResponseBody) {
    t->too_large = true;
    return 0;
  }
  t->response->body.append(data, n);
  return n;
}

std::size_t read_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    // A new response (after a 100 Continue or a redirect): start over.
    t->response->headers.clear();
    const auto space = line.find(' ');
    t->response->status = space == std::string_view::npos ? 0 : std::atol(std::string(line.substr(space + 1, 3)).c_str());
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
  if (t->response->headers.size() < 200) t->response->headers.emplace_back(std::move(name), std::string(value));
  return n;
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return "";
}

Result<Endpoint> parse_endpoint(std::string_view url) {
  Endpoint endpoint;
  std::string_view rest;
  if (url.starts_with("https://")) {
    endpoint.scheme = "https";
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    endpoint.scheme = "http";
    rest = url.substr(7);
  } else {
    return Error::BadRequest("an endpoint must start with http:// or https://");
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (authority.empty() || authority.find_first_of("@?# ") != std::string_view::npos) {
    return Error::BadRequest("an endpoint needs a host (and no user, query or fragment)");
  }
  const std::string_view default_port = endpoint.scheme == "https" ? ":443" : ":80";
  if (authority.ends_with(default_port)) authority.remove_suffix(default_port.size());
  endpoint.authority = std::string(authority);
  endpoint.base_path = std::string(path);
  return endpoint;
}

Result<HttpResponse> perform(const HttpRequest& request) {
  init_curl_once();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Error::Unavailable("cannot start an HTTP request (curl)");
  HttpResponse response;
  Transfer transfer;
  transfer.request = &request;
  transfer.response = &response;

  std::unique_ptr<std::FILE, FileCloser> body_file;
  if (!request.body_file.empty()) {
    body_file.reset(std::fopen(request.body_file.c_str(), "rb"));
    if (!body_file || std::fseek(body_file.get(), static_cast<long>(request.body_offset), SEEK_SET) != 0) {
      return Error::Unavailable("cannot read " + request.body_file);
    }
    transfer.body_file = body_file.get();
    transfer.body_left = request.body_size;
  } else {
    transfer.memory_body = request.body;
  }
  std::unique_ptr<std::FILE, FileCloser> response_file;
  if (!request.response_file.empty()) {
    response_file.reset(std::fopen(request.response_file.c_str(), "wb"));
    if (!response_file) return Error::Unavailable("cannot write " + request.response_file);
    transfer.response_file = response_file.get();
  }

  curl_slist* raw_headers = curl_slist_append(nullptr, "Expect:");
  for (const auto& [name, value] : request.headers) raw_headers = curl_slist_append(raw_headers, (name + ": " + value).c_str());
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw_headers);

  CURL* c = curl.get();
  const std::uint64_t body_size = request.body_file.empty() ? request.body.size() : request.body_size;
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.connect_timeout.count()));
  if (request.total_timeout.count() > 0) {
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(request.total_timeout.count()));
  } else {
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(request.stall_timeout.count()));
  }
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, read_header);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  if (request.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    // PUT and POST send their body through the read callback, with its length up front.
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_body);
    curl_easy_setopt(c, CURLOPT_READDATA, &transfer);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(body_size));
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  const CURLcode rc = curl_easy_perform(c);
  if (transfer.too_large) return Error::Unavailable("the response from " + request.url + " is too large");
  if (transfer.write_failed) return Error::Unavailable("cannot write " + request.response_file);
  if (rc != CURLE_OK) return Error::Unavailable(std::string(curl_easy_strerror(rc)));
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  response.status = status;
  if (response_file && std::fflush(response_file.get()) != 0) {
    return Error::Unavailable("cannot write " + request.response_file);
  }
  return response;
}

}  // namespace oeuvre::aws
