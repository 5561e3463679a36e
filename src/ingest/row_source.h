#pragma once
// RowSource: the data rows of an uploaded table, whatever its format, as cells aligned to one
// header: a CSV file's header line, or the keys of a JSON file's objects in first-seen order.
// FileParser reads a file several times (analyse, then read_records), each time through a fresh
// RowSource. Thread-safety: external synchronisation needed; distinct sources are independent.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace oeuvre::ingest {

enum class FileFormat { kCsv, kJsonArray, kJsonLines };

// "csv" | "json" | "jsonl" (FileLayout::format).
std::string_view format_name(FileFormat format);

// What a cell held in the file. CSV cells are all kText.
enum class CellKind : std::uint8_t {
  kMissing,  // the JSON object has no such key (or a CSV row is short)
  kNull,     // JSON null: an empty value
  kText,     // a CSV field or a JSON string
  kNumber,   // a JSON number: text is its original spelling ("0.10", "1e2"), never a double
  kBool,     // a JSON boolean: text is "true" or "false"
  kNested,   // a JSON object or array: text is its compact JSON
};

struct Cell {
  std::string_view text;  // valid UTF-8; valid until the source's next call to next()
  CellKind kind = CellKind::kMissing;
};

struct SourceRow {
  std::uint64_t line = 0;   // 1-based line where the row starts
  std::vector<Cell> cells;  // one per header column
  // Set when the row as a whole is unusable (a ragged CSV row, a JSON value that is not an object,
  // a JSON Lines line that is not JSON, a repeated key): the reason, and the offending text.
  std::string problem;
  std::string problem_value;
};

class RowSource {
 public:
  virtual ~RowSource() = default;

  // The column names. A JSON source that discovers keys grows it while reading.
  virtual const std::vector<std::string>& header() const = 0;

  // Reads the next data row into `row` (blank lines and rows of empty cells are skipped). False at
  // the end. Fails (kValidation, field "file", message naming the line) when the rest of the file
  // cannot be read as its format: broken CSV quoting, invalid UTF-8, JSON array syntax, limits.
  virtual Result<bool> next(SourceRow& row) = 0;

  // Fraction of the file's bytes consumed, 0..1.
  virtual double progress() const = 0;
};

// How many bytes a source reads at a time for a file of `file_size` bytes: the whole file when it
// is small, 1 MiB chunks when it is large.
std::size_t read_chunk_bytes(std::uint64_t file_size);

// A kValidation error with field "file".
Error file_error(std::string message);

}  // namespace oeuvre::ingest
