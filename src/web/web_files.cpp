#include "web/web_files.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include "security/crypto.h"

namespace oeuvre::web {

namespace {

namespace fs = std::filesystem;

// Vite names what it writes under assets/ by content hash: such a file never changes.
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
// Everything else (index.html, favicon.svg, ...) is revalidated by its ETag on every use.
constexpr std::string_view kRevalidate = "no-cache";

struct ContentType {
  std::string_view extension;
  std::string_view type;
};

constexpr std::array<ContentType, 22> kContentTypes = {{
    {"html", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"webmanifest", "application/manifest+json"},
    {"txt", "text/plain; charset=utf-8"},
    {"xml", "application/xml"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"ico", "image/x-icon"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"wasm", "application/wasm"},
}};

// A name the loader leaves out: hidden ('.'), or one no request path can name safely.
bool left_out(std::string_view name) {
  if (name.empty() || name.front() == '.') return true;
  return std::any_of(name.begin(), name.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return c == '\\' || u < 0x20 || u == 0x7f;
  });
}

bool inside(const fs::path& root, const fs::path& target) {
  auto r = root.begin();
  auto t = target.begin();
  for (; r != root.end(); ++r, ++t) {
    if (t == target.end() || *r != *t) return false;
  }
  return true;
}

}  // namespace

std::string_view content_type_for(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  const std::size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string extension(name.substr(dot + 1));
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const ContentType& known : kContentTypes) {
    if (known.extension == extension) return known.type;
  }
  return "application/octet-stream";
}

std::string etag_for(std::string_view bytes) {
  return "\"" + security::sha256_hex(bytes).substr(0, 32) + "\"";
}

void WebFiles::add(std::string path, std::string_view body, std::string etag) {
  WebFile file;
  file.content_type = std::string(content_type_for(path));
  file.is_html = file.content_type.starts_with("text/html");
  file.cache_control = std::string(path.starts_with("assets/") ? kImmutable : kRevalidate);
  file.etag = std::move(etag);
  file.body = body;
  file.path = path;
  total_bytes_ += body.size();
  files_.insert_or_assign(std::move(path), std::move(file));
}

std::shared_ptr<const WebFiles> WebFiles::from_embedded(std::span<const EmbeddedWebFile> files) {
  std::shared_ptr<WebFiles> out(new WebFiles());
  for (const EmbeddedWebFile& file : files) {
    out->add(std::string(file.path), file.bytes, std::string(file.etag));
  }
  return out;
}

Result<std::shared_ptr<const WebFiles>> WebFiles::load_directory(const std::string& dir,
                                                                 const WebDirLimits& limits) {
  std::error_code ec;
  const fs::path root = fs::canonical(dir, ec);
  if (ec || !fs::is_directory(root, ec)) {
    return Error::Validation("WEB_DIR", "\"" + dir + "\" is not a folder");
  }
  std::shared_ptr<WebFiles> out(new WebFiles());
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) return Error::Validation("WEB_DIR", "cannot list \"" + dir + "\": " + ec.message());
  for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) return Error::Validation("WEB_DIR", "cannot list \"" + dir + "\": " + ec.message());
    const fs::directory_entry& entry = *it;
    if (left_out(entry.path().filename().string())) {
      if (entry.is_directory(ec) && !entry.is_symlink(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it.depth() >= limits.max_depth) {
      return Error::Validation("WEB_DIR", "\"" + dir + "\" is nested deeper than " +
                                              std::to_string(limits.max_depth) + " folders");
    }
    fs::path file = entry.path();
    if (entry.is_symlink(ec)) {
      file = fs::canonical(entry.path(), ec);
      if (ec || !inside(root, file)) continue;  // a link out of the folder, or a broken one
    }
    if (!fs::is_regular_file(file, ec)) continue;
    const std::string rel = entry.path().lexically_relative(root).generic_string();
    const auto size = fs::file_size(file, ec);
    if (ec) return Error::Validation("WEB_DIR", "cannot read \"" + rel + "\": " + ec.message());
    if (out->files_.size() + 1 > limits.max_files || out->total_bytes_ + size > limits.max_bytes) {
      return Error::Validation("WEB_DIR", "\"" + dir + "\" holds more than " +
                                              std::to_string(limits.max_files) + " files or " +
                                              std::to_string(limits.max_bytes) + " bytes");
    }
    std::ifstream in(file, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in && !in.eof()) return Error::Validation("WEB_DIR", "cannot read \"" + rel + "\"");
    std::string etag = etag_for(bytes);
    const std::string_view body = out->owned_bodies_.emplace_back(std::move(bytes));
    out->add(rel, body, std::move(etag));
  }
  if (out->index() == nullptr) {
    return Error::Validation(
        "WEB_DIR",
        "\"" + dir + "\" has no index.html (build the web app: cd web && npm ci && npm run build)");
  }
  return std::shared_ptr<const WebFiles>(std::move(out));
}

const WebFile* WebFiles::find(std::string_view path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace oeuvre::web
