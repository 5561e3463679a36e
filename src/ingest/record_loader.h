#pragma once
// load_records(): reads a CSV with a header into an engine RecordTable, mapping columns by header
// name (ColumnMapping), parsing amounts exactly (decimal separator detected from the first rows
// unless given) and dates (day/month order decided from the whole column unless given).
// Thread-safety: a function over caller-owned objects; distinct readers may load concurrently.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "csv/csv_reader.h"
#include "engine/record_table.h"
#include "ingest/amount_parser.h"
#include "ingest/column_mapping.h"
#include "ingest/date_parser.h"

namespace oeuvre::ingest {

struct LoadOptions {
  int amount_scale = 2;                                        // minor-unit digits (0..6)
  std::optional<DateOrder> date_order;                         // unset: decided from the data
  std::optional<DecimalSeparator> decimal_separator;           // unset: decided from the first rows
  std::size_t max_records = 50'000'000;                        // bound on untrusted input
  std::function<void(std::uint64_t bytes_consumed)> progress;  // every 65536 records
};

struct LoadedRecords {
  engine::RecordTable table;
  ColumnMapping mapping;
  std::vector<std::string> header;
  char delimiter = ',';
  DateOrder date_order = DateOrder::kYearMonthDay;
  DecimalSeparator decimal_separator = DecimalSeparator::kDot;
  std::vector<std::uint64_t> lines;  // the CSV line of each record
};

// Reads every record of `reader` (the first one being the header). Errors name the line and column:
// "line 17, column 'Amount': amount '12,3.4': has a misplaced group separator".
// Ids come from the id column, else the record's line number.
Result<LoadedRecords> load_records(csv::CsvReader& reader, const LoadOptions& options = {});

}  // namespace oeuvre::ingest
