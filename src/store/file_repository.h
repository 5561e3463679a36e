#pragma once
// SQL for uploaded files. Runs on the caller's connection. Thread-safety: stateless.

#include <optional>

#include "store/database.h"
#include "store/models.h"

namespace oeuvre::store {

struct StoredFile {
  Uuid id;
  Uuid project_id;
  Uuid data_source_id;
  std::string filename;
  std::string content_type;
  std::string sha256;
  std::int64_t size_bytes = 0;
  std::string storage_key;
  std::string status;  // uploaded | parsing | parsed | failed
  double progress = 0;
  std::int64_t rows_ok = 0;
  std::int64_t rows_failed = 0;
  std::optional<std::string> error;
  std::optional<Uuid> uploaded_by;
  Timestamp created_at;
  Timestamp updated_at;
};

// The project (and its owner) an active data source belongs to, for authorization.
struct DataSourceScope {
  Uuid project_id;
  Uuid owner_id;
};

class FileRepository {
 public:
  // kConflict when the data source already has a file with this SHA-256.
  static Status insert(Connection& conn, const StoredFile& file);
  // Files of active projects only.
  static Result<std::optional<StoredFile>> find(Connection& conn, const Uuid& id);
  static Result<std::optional<StoredFile>> find_by_sha256(Connection& conn, const Uuid& data_source_id,
                                                          const std::string& sha256);
  // Newest first.
  static Result<PageResult<StoredFile>> list_for_project(Connection& conn, const Uuid& project_id,
                                                         const std::optional<std::string>& status,
                                                         const PageRequest& page);
  // Deletes the file row; its records go with it (ON DELETE CASCADE).
  static Status remove(Connection& conn, const Uuid& id);
  // nullopt when the data source, or its project, does not exist or is deleted.
  static Result<std::optional<DataSourceScope>> data_source_scope(Connection& conn, const Uuid& data_source_id);
};

}  // namespace oeuvre::store
