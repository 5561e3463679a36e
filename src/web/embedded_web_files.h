#pragma once
// The web app's build output compiled into the binary: the files of OEUVRE_WEB_DIST (web/dist by
// default) at build time, written by cmake/embed_web_dist.cmake. Empty when the app was not built.

#include <span>
#include <string_view>

namespace oeuvre::web {

struct EmbeddedWebFile {
  // Relative to the dist folder, '/'-separated: "index.html", "assets/app-1a2b.js".
  std::string_view path;
  std::string_view bytes;  // the file's content
  std::string_view etag;   // strong ETag, quoted: the first 32 hex digits of the content's SHA-256
};

// Sorted by path; static storage. Safe for concurrent use.
std::span<const EmbeddedWebFile> embedded_web_files();

}  // namespace oeuvre::web
