#include "ingest/row_source.h"

#include <algorithm>

namespace oeuvre::ingest {

std::string_view format_name(FileFormat format) {
  switch (format) {
    case FileFormat::kCsv:
      return "csv";
    case FileFormat::kJsonArray:
      return "json";
    case FileFormat::kJsonLines:
      return "jsonl";
  }
  return "csv";
}

std::size_t read_chunk_bytes(std::uint64_t file_size) {
  constexpr std::uint64_t kMin = 4096, kMax = std::uint64_t{1} << 20;
  return static_cast<std::size_t>(std::clamp<std::uint64_t>(file_size + 1, kMin, kMax));
}

Error file_error(std::string message) { return Error::Validation("file", std::move(message)); }

}  // namespace oeuvre::ingest
