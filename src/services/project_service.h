#pragma once
// Projects: the unit of ownership. Every read and write is checked by the policy module; another
// user's project answers 404. Safe for concurrent use.

#include <optional>

#include "security/policy.h"
#include "services/cached_reads.h"
#include "services/request_meta.h"
#include "store/database.h"
#include "store/models.h"

namespace oeuvre::services {

struct ProjectChanges {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<ProjectStatus> status;
  std::optional<std::int64_t>
      expected_version;  // If-Match: refuse (409) when the stored one differs
};

class ProjectService {
 public:
  ProjectService(store::Database& db, CachedReads& reads) : db_(db), reads_(reads) {}

  Result<store::Project> create(const security::Actor& actor, std::string name,
                                std::string description, const RequestMeta& meta);
  Result<store::Project> get(const security::Actor& actor, const Uuid& id);
  // Users see their own projects; admins see every project (or one owner's with owner_filter).
  Result<PageResult<store::Project>> list(const security::Actor& actor,
                                          const std::optional<Uuid>& owner_filter,
                                          const std::optional<ProjectStatus>& status,
                                          const PageRequest& page);
  Result<store::Project> update(const security::Actor& actor, const Uuid& id,
                                const ProjectChanges& changes, const RequestMeta& meta);
  // Soft delete: the project and everything under it disappear from the API; rows stay for the
  // audit.
  Status remove(const security::Actor& actor, const Uuid& id, const RequestMeta& meta);
  // GET /projects/{id}/stats as JSON text: records per data source and status, amounts per currency
  // and status, jobs per status, the match rate. Cached until something under the project changes.
  Result<std::string> stats(const security::Actor& actor, const Uuid& id);

 private:
  store::Database& db_;
  CachedReads& reads_;
};

}  // namespace oeuvre::services
