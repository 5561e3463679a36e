#pragma once
// The row count of every table in pg_dump's plain-format output, taken as the output streams past, so
// a backup needs no scan of its own to count what it holds. In that format a table's data is a block
//
//   COPY public.<table> (<columns>) FROM stdin;
//   <one line per row: pg_dump writes a newline inside a value as \n, a backslash as \\>
//   \.
//
// so the rows of a table are the lines between its COPY line and the line "\.".
// Thread-safety: one thread at a time.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/schema_inventory.h"

namespace oeuvre::store {

class PlainDumpRowCounter {
 public:
  // The next piece of the dump, cut anywhere.
  void feed(std::string_view piece);
  // Once the dump has ended: the count of every table of `tables`, in that order. kInternal when the
  // dump ended inside a block, held a table twice or one not in `tables`, or missed one of them.
  Result<std::vector<TableRowCount>> finish(const std::vector<std::string>& tables) const;

 private:
  void end_line();

  bool in_copy_ = false;
  std::string line_;              // the current line's first bytes, as many as recognising it needs
  std::size_t line_length_ = 0;   // the current line's length so far
  std::string table_;             // the block being read
  std::int64_t rows_ = 0;         // its rows so far
  std::map<std::string, std::int64_t> counts_;
  std::string problem_;           // the first thing wrong with the dump, "" when none
};

}  // namespace oeuvre::store
