#include "ingest/file_sniffer.h"

#include <algorithm>
#include <cstring>

#include "csv/byte_source.h"

namespace oeuvre::ingest {
namespace {

constexpr std::size_t kSniffBytes = std::size_t{64} << 10;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

bool hints_json(std::string_view filename, std::string_view content_type) {
  const std::string name = lower(filename), type = lower(content_type);
  auto ends_with = [](const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends_with(name, ".json") || ends_with(name, ".jsonl") || ends_with(name, ".ndjson") ||
         type.find("json") != std::string::npos;
}

// A name for well-known binary formats users upload by mistake, with what to do instead.
const char* known_binary(std::string_view head) {
  if (starts_with(head, "\x89PNG")) return "a PNG image, not a table";
  if (starts_with(head, "\xFF\xD8\xFF")) return "a JPEG image, not a table";
  if (starts_with(head, "GIF8")) return "a GIF image, not a table";
  if (starts_with(head, "%PDF")) return "a PDF document, not a table; export the statement as CSV";
  if (starts_with(head, "PK\x03\x04")) {
    return "a ZIP archive (an Excel .xlsx or OpenDocument workbook?); save the sheet as "
           "\"CSV UTF-8\" and upload that";
  }
  if (starts_with(head, "\xD0\xCF\x11\xE0")) {
    return "an Excel 97-2003 workbook (.xls) or another Office document; save the sheet as "
           "\"CSV UTF-8\" and upload that";
  }
  if (starts_with(head, "\x1F\x8B")) return "gzip-compressed; decompress it first";
  return nullptr;
}

}  // namespace

Result<SniffedFile> sniff_file(const std::string& path, std::string_view filename,
                               std::string_view content_type) {
  ASSIGN_OR_RETURN(auto source, csv::FileByteSource::open(path));
  SniffedFile out;
  ASSIGN_OR_RETURN(const std::string head, csv::read_prefix(*source, kSniffBytes));
  out.size = std::max<std::uint64_t>(source->size_hint(), head.size());
  if (head.empty()) {
    return file_error(
        "is empty (0 bytes); expected a CSV file with a header line, a JSON array of objects or "
        "JSON Lines");
  }
  if (starts_with(head, std::string_view("\xFF\xFE\0\0", 4)) ||
      starts_with(head, std::string_view("\0\0\xFE\xFF", 4))) {
    return file_error(
        "is UTF-32 encoded (it starts with a UTF-32 byte-order mark); save it as UTF-8 "
        "and upload it again");
  }
  if (starts_with(head, "\xFF\xFE") || starts_with(head, "\xFE\xFF")) {
    return file_error(
        "is UTF-16 encoded (it starts with a UTF-16 byte-order mark); save it as "
        "UTF-8 (in Excel: \"CSV UTF-8\") and upload it again");
  }
  if (const char* what = known_binary(head)) return file_error(std::string("is ") + what);
  if (const void* nul = std::memchr(head.data(), '\0', head.size())) {
    // ASCII text in UTF-16 without a byte-order mark: every other byte is NUL.
    std::size_t even_nul = 0, odd_nul = 0;
    const std::size_t sample = std::min<std::size_t>(head.size(), 4096);
    for (std::size_t i = 0; i < sample; ++i) {
      if (head[i] == '\0') ++(i % 2 == 0 ? even_nul : odd_nul);
    }
    const std::size_t half = sample / 2;
    if (half >= 2 && (odd_nul * 10 >= half * 7 || even_nul * 10 >= half * 7) &&
        std::min(odd_nul, even_nul) * 10 < half) {
      return file_error(
          "looks UTF-16 encoded (every other byte is zero); save it as UTF-8 (in "
          "Excel: \"CSV UTF-8\") and upload it again");
    }
    const auto offset = static_cast<std::size_t>(static_cast<const char*>(nul) - head.data());
    const auto line = 1 + std::count(head.data(), head.data() + offset, '\n');
    return file_error("is binary, not a text table: line " + std::to_string(line) +
                      " holds a NUL byte; expected a CSV file, a JSON array of objects or JSON "
                      "Lines");
  }

  std::string_view text = head;
  if (starts_with(text, "\xEF\xBB\xBF")) text.remove_prefix(3);
  std::size_t first = 0;
  while (first < text.size() && is_space(text[first])) ++first;
  if (first == text.size() && head.size() == out.size) {
    return file_error(
        "holds only blank lines; expected a CSV file with a header line, a JSON "
        "array of objects or JSON Lines");
  }
  if (first < text.size() && text[first] == '[') {
    std::size_t next = first + 1;
    while (next < text.size() && is_space(text[next])) ++next;
    const bool array_like = next < text.size() && (text[next] == '{' || text[next] == ']');
    if (array_like || hints_json(filename, content_type)) {
      out.format = FileFormat::kJsonArray;
      return out;
    }
  }
  if (first < text.size() && text[first] == '{') {
    out.format = FileFormat::kJsonLines;
    return out;
  }
  // Bank statements were recognised before the sniffer is asked (bank/bank_file.h): markup here is
  // an XML or HTML document that no reader takes, not a CSV whose header is "<?xml ...".
  if (first < text.size() && text[first] == '<') {
    return file_error(
        "is an XML or HTML document, not a table or a bank statement Œuvre reads; expected CSV, "
        "JSON, JSON Lines, camt.052/053/054, MT940, BAI2 or OFX");
  }
  out.format = FileFormat::kCsv;
  // Excel's "sep=;" first line declares the delimiter.
  if (text.size() >= 5 && starts_with(text, "sep=") && text[4] != '"' && text[4] != '\r' &&
      text[4] != '\n' && (text.size() == 5 || text[5] == '\r' || text[5] == '\n')) {
    out.csv_delimiter = text[4];
    out.skip_separator_line = true;
  }
  return out;
}

}  // namespace oeuvre::ingest
