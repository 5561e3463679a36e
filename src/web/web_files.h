#pragma once
// The web app's files as served: each with its content type, strong ETag and cache policy, found by
// its path. Built once at start, from the copy compiled into the binary or from a folder (WEB_DIR),
// then read-only: safe for concurrent use.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "web/embedded_web_files.h"

namespace oeuvre::web {

struct WebFile {
  std::string path;          // "index.html", "assets/app-1a2b.js"
  std::string content_type;  // with "; charset=utf-8" for text
  std::string etag;          // strong, quoted
  std::string cache_control;
  std::string_view body;  // into the binary's static storage, or the WebFiles' own copy
  bool is_html = false;   // answered with the page's security headers (CSP, X-Frame-Options)
};

// Limits on a WEB_DIR: a folder past them is refused at start rather than served in part.
struct WebDirLimits {
  std::size_t max_files = 10000;
  std::uint64_t max_bytes = std::uint64_t{256} << 20;
  int max_depth = 16;
};

class WebFiles {
 public:
  // The files compiled into the binary (embedded_web_files(), or a test's table). Copies nothing.
  static std::shared_ptr<const WebFiles> from_embedded(std::span<const EmbeddedWebFile> files);

  // Reads every regular file under `dir` into memory. Left out: names starting with '.', names with
  // a backslash or a control character, and symbolic links whose target is outside `dir` (links to
  // folders are not followed). An error when `dir` is not a folder, has no index.html, or is past
  // `limits`. Reads files: call at start, not on an I/O thread.
  static Result<std::shared_ptr<const WebFiles>> load_directory(const std::string& dir,
                                                                const WebDirLimits& limits = {});

  WebFiles(const WebFiles&) = delete;
  WebFiles& operator=(const WebFiles&) = delete;

  // The file at `path` (relative, '/'-separated, no leading '/'); nullptr when there is none.
  const WebFile* find(std::string_view path) const;
  // index.html; nullptr when the app is not there (not built).
  const WebFile* index() const { return find("index.html"); }

  std::size_t size() const { return files_.size(); }
  std::uint64_t total_bytes() const { return total_bytes_; }

 private:
  WebFiles() = default;
  void add(std::string path, std::string_view body, std::string etag);

  std::map<std::string, WebFile, std::less<>> files_;
  std::deque<std::string> owned_bodies_;  // load_directory's contents (a deque: views stay valid)
  std::uint64_t total_bytes_ = 0;
};

// The Content-Type served for `path`, by its extension: "text/html; charset=utf-8" for .html, ...,
// "application/octet-stream" for one it does not know.
std::string_view content_type_for(std::string_view path);

// The strong ETag of `bytes`, quoted: the first 32 hex digits of their SHA-256 (as
// cmake/embed_web_dist.cmake computes it at build time).
std::string etag_for(std::string_view bytes);

}  // namespace oeuvre::web
