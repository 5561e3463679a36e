#pragma once
// The statuses and roles the product stores and shows, as enums. Their text (the stored column
// values and the API's JSON values) is read with parse_* and written with to_string at the edge
// (store row mapping, request parsing, JSON views); inside, they are compared as enums.
// Thread-safety: pure functions, safe for concurrent use.

#include <optional>
#include <string_view>

namespace oeuvre {

// A user's role: "admin" | "user".
enum class Role { kAdmin, kUser };

// A project's status: "active" | "archived".
enum class ProjectStatus { kActive, kArchived };

// A data source's status: "active" | "deleted" (deleted sources keep their row).
enum class DataSourceStatus { kActive, kDeleted };

// An uploaded file's status: "uploaded" (queued for parsing) | "parsing" | "parsed" | "failed".
enum class FileStatus { kUploaded, kParsing, kParsed, kFailed };

// A reconciliation job's status: "queued" | "running" | "completed" | "failed" | "cancelled".
enum class JobStatus { kQueued, kRunning, kCompleted, kFailed, kCancelled };

// A match result's status: "matched" | "suggested" | "unmatched" | "confirmed" | "rejected".
enum class ResultStatus { kMatched, kSuggested, kUnmatched, kConfirmed, kRejected };

// A record's status: "open" | "matched" | "excluded".
enum class RecordStatus { kOpen, kMatched, kExcluded };

// The text form of each value (the names above). The views are of static storage.
std::string_view to_string(Role role);
std::string_view to_string(ProjectStatus status);
std::string_view to_string(DataSourceStatus status);
std::string_view to_string(FileStatus status);
std::string_view to_string(JobStatus status);
std::string_view to_string(ResultStatus status);
std::string_view to_string(RecordStatus status);

// The value whose text is exactly `text` (case-sensitive), or nullopt.
std::optional<Role> parse_role(std::string_view text);
std::optional<ProjectStatus> parse_project_status(std::string_view text);
std::optional<DataSourceStatus> parse_data_source_status(std::string_view text);
std::optional<FileStatus> parse_file_status(std::string_view text);
std::optional<JobStatus> parse_job_status(std::string_view text);
std::optional<ResultStatus> parse_result_status(std::string_view text);
std::optional<RecordStatus> parse_record_status(std::string_view text);

// True for the statuses a job does not leave: completed, failed, cancelled.
constexpr bool is_ended(JobStatus status) {
  return status == JobStatus::kCompleted || status == JobStatus::kFailed ||
         status == JobStatus::kCancelled;
}

}  // namespace oeuvre
