#pragma once
// Files compiled into the binary: migrations/** and docs/openapi.json, keyed by repo-relative path.

#include <string_view>
#include <vector>

namespace oeuvre {

struct EmbeddedResource {
  std::string_view path;
  std::string_view text;
};

// Sorted by path. Safe for concurrent use.
const std::vector<EmbeddedResource>& embedded_resources();

}  // namespace oeuvre
