#include "store/postgres/plain_dump_rows.h"

#include <algorithm>
#include <cstring>

namespace oeuvre::store {

namespace {

constexpr std::string_view kCopy = "COPY ";
constexpr std::string_view kFromStdin = " FROM stdin;";
constexpr std::string_view kEndOfData = "\\.";
// A COPY line names the table and every column: far shorter than this for any schema of ours. A
// longer one would not be recognised, and finish() would then miss its table.
constexpr std::size_t kMaxCopyLine = 64 * 1024;

// "public.records" or "public.\"records\"" -> "records".
std::string table_of(std::string_view copy_line) {
  std::string_view rest = copy_line.substr(kCopy.size());
  rest = rest.substr(0, rest.find_first_of(" ("));
  if (rest.starts_with("public.")) rest.remove_prefix(7);
  if (rest.size() >= 2 && rest.front() == '"' && rest.back() == '"') rest = rest.substr(1, rest.size() - 2);
  return std::string(rest);
}

}  // namespace

void PlainDumpRowCounter::feed(std::string_view piece) {
  while (!piece.empty()) {
    const void* newline = std::memchr(piece.data(), '\n', piece.size());
    const std::size_t length =
        newline == nullptr ? piece.size() : static_cast<std::size_t>(static_cast<const char*>(newline) - piece.data());
    // Inside a block only "\." matters: two bytes of each line are enough.
    const std::size_t keep = in_copy_ ? kEndOfData.size() : kMaxCopyLine;
    if (line_.size() < keep) line_.append(piece.substr(0, std::min(length, keep - line_.size())));
    line_length_ += length;
    if (newline == nullptr) return;
    end_line();
    piece.remove_prefix(length + 1);
  }
}

void PlainDumpRowCounter::end_line() {
  if (in_copy_) {
    if (line_length_ == kEndOfData.size() && line_ == kEndOfData) {
      in_copy_ = false;
      if (!counts_.emplace(table_, rows_).second && problem_.empty()) problem_ = "the dump holds table " + table_ + " twice";
    } else {
      ++rows_;
    }
  } else if (line_length_ <= kMaxCopyLine && line_.starts_with(kCopy) && line_.ends_with(kFromStdin)) {
    in_copy_ = true;
    table_ = table_of(line_);
    rows_ = 0;
  }
  line_.clear();
  line_length_ = 0;
}

Result<std::vector<TableRowCount>> PlainDumpRowCounter::finish(const std::vector<std::string>& tables) const {
  if (!problem_.empty()) return Error::Internal(problem_);
  if (in_copy_ || line_length_ > 0) return Error::Internal("the dump ended inside the data of table " + table_);
  std::vector<TableRowCount> counts;
  counts.reserve(tables.size());
  for (const std::string& table : tables) {
    auto it = counts_.find(table);
    if (it == counts_.end()) return Error::Internal("the dump holds no data for table " + table);
    counts.push_back({table, it->second});
  }
  if (counts_.size() != tables.size()) {
    for (const auto& [table, rows] : counts_) {
      if (std::find(tables.begin(), tables.end(), table) == tables.end()) {
        return Error::Internal("the dump holds table " + table + ", which the schema does not");
      }
    }
  }
  return counts;
}

}  // namespace oeuvre::store
