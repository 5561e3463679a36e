#include "core/statuses.h"

#include <array>
#include <cstddef>

namespace oeuvre {

namespace {

using namespace std::string_view_literals;

// The names of an enum's values, indexed by the value.
constexpr std::array kRoles{"admin"sv, "user"sv};
constexpr std::array kProjectStatuses{"active"sv, "archived"sv};
constexpr std::array kDataSourceStatuses{"active"sv, "deleted"sv};
constexpr std::array kFileStatuses{"uploaded"sv, "parsing"sv, "parsed"sv, "failed"sv};
constexpr std::array kJobStatuses{"queued"sv, "running"sv, "completed"sv, "failed"sv,
                                  "cancelled"sv};
constexpr std::array kResultStatuses{"matched"sv, "suggested"sv, "unmatched"sv, "confirmed"sv,
                                     "rejected"sv};
constexpr std::array kRecordStatuses{"open"sv, "matched"sv, "excluded"sv};

template <class Enum, std::size_t N>
std::string_view name_of(const std::array<std::string_view, N>& names, Enum value) {
  return names.at(static_cast<std::size_t>(value));
}

template <class Enum, std::size_t N>
std::optional<Enum> value_named(const std::array<std::string_view, N>& names,
                                std::string_view text) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Role role) { return name_of(kRoles, role); }
std::string_view to_string(ProjectStatus status) { return name_of(kProjectStatuses, status); }
std::string_view to_string(DataSourceStatus status) { return name_of(kDataSourceStatuses, status); }
std::string_view to_string(FileStatus status) { return name_of(kFileStatuses, status); }
std::string_view to_string(JobStatus status) { return name_of(kJobStatuses, status); }
std::string_view to_string(ResultStatus status) { return name_of(kResultStatuses, status); }
std::string_view to_string(RecordStatus status) { return name_of(kRecordStatuses, status); }

std::optional<Role> parse_role(std::string_view text) { return value_named<Role>(kRoles, text); }
std::optional<ProjectStatus> parse_project_status(std::string_view text) {
  return value_named<ProjectStatus>(kProjectStatuses, text);
}
std::optional<DataSourceStatus> parse_data_source_status(std::string_view text) {
  return value_named<DataSourceStatus>(kDataSourceStatuses, text);
}
std::optional<FileStatus> parse_file_status(std::string_view text) {
  return value_named<FileStatus>(kFileStatuses, text);
}
std::optional<JobStatus> parse_job_status(std::string_view text) {
  return value_named<JobStatus>(kJobStatuses, text);
}
std::optional<ResultStatus> parse_result_status(std::string_view text) {
  return value_named<ResultStatus>(kResultStatuses, text);
}
std::optional<RecordStatus> parse_record_status(std::string_view text) {
  return value_named<RecordStatus>(kRecordStatuses, text);
}

}  // namespace oeuvre
