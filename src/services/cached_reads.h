#pragma once
// CachedReads: the services' hot reads through the two-level cache (cache/cache.h), and the
// invalidations their writes make. One place knows which keys a change affects:
//
//   users:<user id>                         authentication's view of a user (no password hash)
//   projects:<project id>                   the active project
//   project_lists:<owner id|all>:<status>:<page>:<per page>
//   data_sources:<data source id>           the visible data source with its project's owner
//   data_source_lists:<project id>:<kind>:<page>:<per page>
//   project_stats:<project id>
//   jobs:<job id>, job_summaries:<job id>   ended jobs only (a queued or running one changes)
//
// What is cached is data, never a decision: callers authorize the cached object on every request.
// Every *_changed call is made after the write's transaction has committed (an invalidation before
// the commit lets a reader cache the old row again).
//
// With no cache (nullptr) every read goes to the store: the same answers, without the cache.
// Thread-safety: safe for concurrent use.

#include <functional>
#include <optional>
#include <string>

#include "cache/cache.h"
#include "core/page.h"
#include "core/result.h"
#include "core/uuid.h"
#include "security/policy.h"
#include "store/data_source_repository.h"
#include "store/job_repository.h"
#include "store/database.h"
#include "store/models.h"
#include "store/project_repository.h"

namespace oeuvre::services {

// What authentication needs of a user, and all of it that is cached.
struct AuthUser {
  Uuid id;
  Role role = Role::kUser;
  bool is_active = false;
  std::int64_t token_version = 0;
};

class CachedReads {
 public:
  CachedReads(store::Database& db, cache::Cache* cache) : db_(db), cache_(cache) {}

  cache::Cache* cache() const { return cache_; }

  // nullopt when there is no such user.
  Result<std::optional<AuthUser>> auth_user(const Uuid& id);
  // After any change to a user row (role, status, token version, password).
  void user_changed(const Uuid& id);

  // The active project `id`, else kNotFound "<what> not found". On a miss it is read through `conn`
  // when given (a caller inside a transaction), else through a connection of its own.
  Result<store::Project> active_project(const Uuid& id, store::Connection* conn = nullptr,
                                        const std::string& what = "project");
  // active_project, then the policy's check that `actor` may reach it (the same 404 otherwise).
  Result<store::Project> require_project(const security::Actor& actor, const Uuid& id,
                                         store::Connection* conn = nullptr,
                                         const std::string& what = "project");
  Result<PageResult<store::Project>> project_page(const store::ProjectFilter& filter,
                                                  const PageRequest& page);
  // After a project is created, changed or deleted: it, its owner's and admins' lists, its stats.
  void project_changed(const Uuid& project_id, const Uuid& owner_id);

  // The data source `id` when visible (not deleted, its project active) and `actor` may reach it.
  Result<store::DataSource> accessible_data_source(const security::Actor& actor, const Uuid& id);
  Result<PageResult<store::DataSource>> data_source_page(const store::DataSourceFilter& filter,
                                                         const PageRequest& page);
  // After a data source is created, changed or deleted.
  void data_source_changed(const Uuid& data_source_id, const Uuid& project_id);

  // A project's statistics (a JSON text), computed by `compute` on a miss.
  Result<std::string> project_stats(const Uuid& project_id,
                                    const std::function<Result<std::string>()>& compute);
  // After anything under the project changes what its statistics count (records, jobs, results).
  void project_data_changed(const Uuid& project_id);

  // The job `id` when visible (its project active) and `actor` may reach it; an ended job is kept in
  // the cache (it changes no more, until deleted).
  Result<store::Job> accessible_job(const security::Actor& actor, const Uuid& id);
  // An ended job's summary (JSON text), computed by `compute` on a miss; a job still queued or
  // running is computed every time.
  Result<std::string> job_summary(const store::Job& job, const std::function<Result<std::string>()>& compute);
  // After a job is deleted, or a review decision changes its results.
  void job_changed(const Uuid& job_id);

 private:
  store::Database& db_;
  cache::Cache* const cache_;
};

}  // namespace oeuvre::services
