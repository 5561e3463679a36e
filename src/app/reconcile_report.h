#pragma once
// The files `oeuvre reconcile` writes into its output folder: matches.{csv,json} (one row or object
// per group with the per-rule explanation), unmatched_left / unmatched_right (the records left over,
// with the id of the record each duplicates, if any) and summary.json. One walk over the result
// serves both formats; a format only says how one group or one record is written.
// Thread-safety: a function over caller-owned objects.

#include <filesystem>
#include <functional>
#include <string_view>

#include "core/result.h"
#include "engine/match_result.h"
#include "ingest/record_file.h"

namespace oeuvre {

enum class ReportFormat { kCsv, kJson };

// Writes matches and unmatched files of `result` (computed on left.table and right.table) into
// `dir` (which must exist), and rejected_left.csv / rejected_right.csv (line, column, value, reason)
// for a file that had rows that could not be read (an old one is removed when none were). `progress` gets the fraction written, 0..1. kInternal naming the file
// when one cannot be written.
Status write_report(const std::filesystem::path& dir, ReportFormat format,
                    const engine::ReconcileResult& result, const ingest::RecordFile& left,
                    const ingest::RecordFile& right,
                    const std::function<void(double)>& progress = {});

// Writes summary.json: the engine's counts and per-currency totals, the rows each file had that
// could not be read, and `seconds` (the whole run's wall time).
Status write_summary(const std::filesystem::path& dir, const engine::ReconcileResult& result,
                     const ingest::RecordFile& left, const ingest::RecordFile& right,
                     double seconds);

// Writes model.json, the match model the result was scored with (match_model.h), when there was
// one; removes an old one otherwise.
Status write_model(const std::filesystem::path& dir, const engine::ReconcileResult& result);

// The summary for a person, as printed at the end of a run.
std::string summary_text(const engine::ReconcileResult& result, const ingest::RecordFile& left,
                         const ingest::RecordFile& right, const std::filesystem::path& dir,
                         double seconds);

}  // namespace oeuvre
