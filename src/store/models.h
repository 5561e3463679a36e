#pragma once
// Rows of the domain tables as plain values. Thread-safety: value types.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/page.h"
#include "core/statuses.h"
#include "core/time.h"
#include "core/uuid.h"

namespace oeuvre::store {

struct User {
  Uuid id;
  std::string email;  // as entered; uniqueness is case-insensitive
  std::string password_hash;
  std::string display_name;
  Role role = Role::kUser;
  bool is_active = true;
  Timestamp created_at;
  Timestamp updated_at;
  // Incremented by a password change, a deactivation or a role change: access tokens issued with an
  // older version are refused.
  std::int64_t token_version = 0;
};

struct RefreshToken {
  Uuid id;
  Uuid user_id;
  Uuid family_id;
  std::string token_hash;  // SHA-256 hex of the opaque token; the token itself is never stored
  Timestamp expires_at;
  Timestamp created_at;
  std::optional<Timestamp> used_at;
  std::optional<Timestamp> revoked_at;
};

struct Project {
  Uuid id;
  Uuid owner_id;
  std::string name;
  std::string description;
  ProjectStatus status = ProjectStatus::kActive;
  bool is_active = true;
  std::int64_t version = 1;
  Timestamp created_at;
  Timestamp updated_at;
};

// A source of records within a project (a bank account, a ledger, a processor's reports). Deleted
// ones keep their row with status "deleted"; deactivated ones (is_active false) are hidden from lists.
struct DataSource {
  Uuid id;
  Uuid project_id;
  std::string name;
  std::string kind;                   // "bank" | "ledger" | "processor" | "erp" | "crm" | "other"
  std::string column_mapping = "{}";  // JSON text (ingest/column_mapping.h)
  DataSourceStatus status = DataSourceStatus::kActive;
  bool is_active = true;
  std::int64_t version = 1;
  Timestamp created_at;
  Timestamp updated_at;
};

struct AuditEntry {
  Uuid id;
  std::optional<Uuid> user_id;
  std::optional<Uuid> project_id;
  std::string action;         // e.g. "project.create", "auth.login_failed"
  std::string resource_type;  // e.g. "project", "user", "session"
  std::string resource_id;
  std::optional<std::string> before_json;
  std::optional<std::string> after_json;
  std::string request_id;
  std::string ip;
  std::string user_agent;
  Timestamp created_at;
  std::optional<std::string> trace_id;  // the request's W3C trace id; nullopt when none
};

}  // namespace oeuvre::store
