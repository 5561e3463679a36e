#pragma once
// SQL for projects. Runs on the caller's connection. Thread-safety: stateless.

#include <optional>

#include "store/database.h"
#include "store/models.h"

namespace oeuvre::store {

struct ProjectFilter {
  std::optional<Uuid> owner_id;  // unset: every owner (admins)
  std::optional<ProjectStatus> status;
};

// What GET /projects/{id}/stats counts, as the database grouped it.
struct ProjectRecordCount {
  Uuid data_source_id;
  std::string data_source_name;
  RecordStatus status = RecordStatus::kOpen;
  std::int64_t count = 0;
};
struct ProjectAmountTotal {
  std::string currency;
  RecordStatus status = RecordStatus::kOpen;
  std::int64_t count = 0;
  std::int64_t amount_minor = 0;
};
struct ProjectJobCount {
  JobStatus status = JobStatus::kQueued;
  std::int64_t count = 0;
};
struct ProjectRecordStats {
  std::vector<ProjectRecordCount> records;  // by data source and status
  std::vector<ProjectAmountTotal> amounts;  // by currency and status
};

class ProjectRepository {
 public:
  static Status insert(Connection& conn, const Project& project);
  // Active (not deleted) projects only.
  static Result<std::optional<Project>> find_active(Connection& conn, const Uuid& id);
  // Newest first; active projects only.
  static Result<PageResult<Project>> list(Connection& conn, const ProjectFilter& filter,
                                          const PageRequest& page);
  // Writes name, description, status, is_active, updated_at and bumps version when the stored
  // version equals project.version - 1 (optimistic concurrency). kConflict when someone else
  // changed it first.
  static Status update(Connection& conn, const Project& project);
  // The project's records by data source and status, and their amounts by currency and status.
  // kInternal if a currency's total does not fit 64 bits.
  static Result<ProjectRecordStats> record_stats(Connection& conn, const Uuid& project_id);
  // The project's jobs by status.
  static Result<std::vector<ProjectJobCount>> job_counts(Connection& conn, const Uuid& project_id);
};

}  // namespace oeuvre::store
