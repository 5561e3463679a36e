// Tests of src/core/statuses: every value round-trips through its text; other text is refused.
#include "core/statuses.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace oeuvre {
namespace {

template <class Enum, class Parse>
void expect_round_trip(const std::vector<std::pair<Enum, std::string>>& all, Parse parse) {
  for (const auto& [value, text] : all) {
    EXPECT_EQ(to_string(value), text);
    EXPECT_EQ(parse(text), value) << text;
  }
  EXPECT_FALSE(parse("").has_value());
  EXPECT_FALSE(parse("unknown").has_value());
  EXPECT_FALSE(parse(" " + all.front().second).has_value());
}

TEST(Statuses, RoundTripThroughTheirText) {
  expect_round_trip<Role>({{Role::kAdmin, "admin"}, {Role::kUser, "user"}}, parse_role);
  expect_round_trip<ProjectStatus>(
      {{ProjectStatus::kActive, "active"}, {ProjectStatus::kArchived, "archived"}},
      parse_project_status);
  expect_round_trip<DataSourceStatus>(
      {{DataSourceStatus::kActive, "active"}, {DataSourceStatus::kDeleted, "deleted"}},
      parse_data_source_status);
  expect_round_trip<FileStatus>({{FileStatus::kUploaded, "uploaded"},
                                 {FileStatus::kParsing, "parsing"},
                                 {FileStatus::kParsed, "parsed"},
                                 {FileStatus::kFailed, "failed"}},
                                parse_file_status);
  expect_round_trip<JobStatus>({{JobStatus::kQueued, "queued"},
                                {JobStatus::kRunning, "running"},
                                {JobStatus::kCompleted, "completed"},
                                {JobStatus::kFailed, "failed"},
                                {JobStatus::kCancelled, "cancelled"}},
                               parse_job_status);
  expect_round_trip<ResultStatus>({{ResultStatus::kMatched, "matched"},
                                   {ResultStatus::kSuggested, "suggested"},
                                   {ResultStatus::kUnmatched, "unmatched"},
                                   {ResultStatus::kConfirmed, "confirmed"},
                                   {ResultStatus::kRejected, "rejected"}},
                                  parse_result_status);
  expect_round_trip<RecordStatus>({{RecordStatus::kOpen, "open"},
                                   {RecordStatus::kMatched, "matched"},
                                   {RecordStatus::kExcluded, "excluded"}},
                                  parse_record_status);
}

TEST(Statuses, TextIsCaseSensitive) {
  EXPECT_FALSE(parse_role("Admin").has_value());
  EXPECT_FALSE(parse_job_status("QUEUED").has_value());
}

TEST(Statuses, EndedJobs) {
  EXPECT_FALSE(is_ended(JobStatus::kQueued));
  EXPECT_FALSE(is_ended(JobStatus::kRunning));
  EXPECT_TRUE(is_ended(JobStatus::kCompleted));
  EXPECT_TRUE(is_ended(JobStatus::kFailed));
  EXPECT_TRUE(is_ended(JobStatus::kCancelled));
}

}  // namespace
}  // namespace oeuvre
