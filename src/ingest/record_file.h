#pragma once
// read_record_file(): one file read through FileParser straight into the engine's RecordTable, for
// `oeuvre reconcile` and the engine's test cases (the server stores FileParser's records instead and
// a job reads them back through the same RecordTableBuilder). The file is read twice at most: once
// to decide the date order and decimal separator when the mapping leaves them to the data, once to
// check and convert every row.
// Thread-safety: a function over caller-owned objects; distinct files may be read concurrently.

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "engine/record_table.h"
#include "engine/rules.h"
#include "ingest/file_parser.h"

namespace oeuvre::ingest {

struct RecordFile {
  engine::RecordTable table;
  std::vector<std::uint64_t> lines;  // the file line of each record of `table`
  FileLayout layout;                 // what was decided; rows_failed counts the rows left out
  std::vector<RowError> errors;      // the first ParseSettings::max_errors_kept bad rows
};

// Reads `path` (CSV, JSON array or JSON Lines, told by its bytes) with `settings`. The table holds
// the good records in file order, with the extra fields that `rules` read on side `left`; a record's
// id is its external id when the mapping has that column, else its line number. Bad rows are left
// out and reported (errors, layout.rows_failed) -- unless settings.mapping.all_or_nothing, when
// one bad row fails the read (kValidation, field "file", the first row errors as further fields).
// A file without an amount column is read when `rules` compare no amounts (no amount rule): its
// records have none (table.has_amount false), every other column an extra field the rules may
// name; when they do compare amounts it fails as analyse() does (also when the mapping says
// amount_optional), with a further field error ("rules") saying that rules without an amount rule
// read such files.
// Other failures are FileParser::analyse()'s.
Result<RecordFile> read_record_file(const std::string& path, const ParseSettings& settings,
                                    const engine::RuleSet& rules, bool left,
                                    const ProgressFn& progress = {});

}  // namespace oeuvre::ingest
