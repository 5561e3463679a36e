#pragma once
// Data sources: where a project's records come from. A data source belongs to a project, and the
// caller reaches it only through the policy module on that project: another user's data source, or
// one of a deleted project, answers 404. Deleting is soft (the row stays for the audit trail and
// the API answers 404 from then on); deactivating (is_active false) only hides it from lists. Every
// change is audited with its project id. Safe for concurrent use.

#include <optional>

#include "ingest/column_mapping.h"
#include "security/policy.h"
#include "services/cached_reads.h"
#include "services/request_meta.h"
#include "store/database.h"
#include "store/models.h"

namespace oeuvre::services {

struct NewDataSource {
  std::string name;
  std::string kind = "other";
  ingest::ColumnMapping column_mapping;
};

struct DataSourceChanges {
  std::optional<std::string> name;
  std::optional<std::string> kind;
  std::optional<ingest::ColumnMapping> column_mapping;  // replaces the whole mapping
  std::optional<bool> is_active;
  std::optional<std::int64_t>
      expected_version;  // If-Match: refuse (409) when the stored one differs
};

class DataSourceService {
 public:
  DataSourceService(store::Database& db, CachedReads& reads) : db_(db), reads_(reads) {}

  // REQUIRES: `source` is validated (name 1..255 characters, kind one of the schema's kinds).
  // kNotFound when the project does not exist, is deleted, or is not the actor's.
  Result<store::DataSource> create(const security::Actor& actor, const Uuid& project_id,
                                   NewDataSource source, const RequestMeta& meta);
  // Active or deactivated; kNotFound when deleted or not reachable by the actor.
  Result<store::DataSource> get(const security::Actor& actor, const Uuid& id);
  // Active data sources of a project the actor may access, newest first, optionally of one kind.
  Result<PageResult<store::DataSource>> list(const security::Actor& actor, const Uuid& project_id,
                                             const std::optional<std::string>& kind,
                                             const PageRequest& page);
  // A change that changes nothing writes nothing (same version, no audit row).
  Result<store::DataSource> update(const security::Actor& actor, const Uuid& id,
                                   const DataSourceChanges& changes, const RequestMeta& meta);
  // Soft delete.
  Status remove(const security::Actor& actor, const Uuid& id, const RequestMeta& meta);

 private:
  store::Database& db_;
  CachedReads& reads_;
};

}  // namespace oeuvre::services
