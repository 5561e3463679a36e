#pragma once
// SQL for projects. Runs on the caller's connection. Thread-safety: stateless.

#include <optional>

#include "store/database.h"
#include "store/models.h"

namespace oeuvre::store {

struct ProjectFilter {
  std::optional<Uuid> owner_id;       // unset: every owner (admins)
  std::optional<ProjectStatus> status;
};

class ProjectRepository {
 public:
  static Status insert(Connection& conn, const Project& project);
  // Active (not deleted) projects only.
  static Result<std::optional<Project>> find_active(Connection& conn, const Uuid& id);
  // Newest first; active projects only.
  static Result<PageResult<Project>> list(Connection& conn, const ProjectFilter& filter,
                                          const PageRequest& page);
  // Writes name, description, status, is_active, updated_at and bumps version when the stored version
  // equals project.version - 1 (optimistic concurrency). kConflict when someone else changed it first.
  static Status update(Connection& conn, const Project& project);
};

}  // namespace oeuvre::store
