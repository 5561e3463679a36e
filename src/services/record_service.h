#pragma once
// Records of a project, listed with filters for the owner or an admin (through the policy module).
// Records are written only by parsing (FileIngestService). Safe for concurrent use.

#include "core/json_writer.h"
#include "security/policy.h"
#include "store/database.h"
#include "store/record_repository.h"

namespace oeuvre::services {

class RecordService {
 public:
  explicit RecordService(store::Database& db) : db_(db) {}

  // kNotFound when the project does not exist, is deleted or is not the actor's.
  Result<PageResult<store::Record>> list(const security::Actor& actor, const Uuid& project_id,
                                                const store::RecordFilter& filter, const PageRequest& page);

 private:
  store::Database& db_;
};

// The API form of a record, written with `w`: the amount both as an exact decimal string at the
// currency's scale and in minor units.
void write_json(JsonWriter& w, const store::Record& record);

}  // namespace oeuvre::services
