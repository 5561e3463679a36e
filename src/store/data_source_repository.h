#pragma once
// SQL for data sources. Runs on the caller's connection. Thread-safety: stateless.

#include <optional>

#include "store/database.h"
#include "store/models.h"

namespace oeuvre::store {

// A data source with the owner of its project, for authorization.
struct ScopedDataSource {
  DataSource data_source;
  Uuid project_owner_id;
};

struct DataSourceFilter {
  Uuid project_id;
  std::optional<std::string> kind;  // unset: every kind
};

class DataSourceRepository {
 public:
  static Status insert(Connection& conn, const DataSource& data_source);
  // A data source that is not deleted (active or not) whose project is active; nullopt otherwise.
  static Result<std::optional<ScopedDataSource>> find_visible(Connection& conn, const Uuid& id);
  // Newest first; active data sources of one project only (served by
  // ix_data_sources_project_active).
  static Result<PageResult<DataSource>> list(Connection& conn, const DataSourceFilter& filter,
                                             const PageRequest& page);
  // Writes name, kind, column_mapping, status, is_active, updated_at and the new version when the
  // stored version equals data_source.version - 1 (optimistic concurrency). kConflict when someone
  // else changed it first.
  static Status update(Connection& conn, const DataSource& data_source);
};

}  // namespace oeuvre::store
