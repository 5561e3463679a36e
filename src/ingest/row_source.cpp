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

std::string_view cut_utf8(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

Error file_error(std::string message) { return Error::Validation("file", std::move(message)); }

}  // namespace oeuvre::ingest
