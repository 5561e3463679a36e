#pragma once
// Secrets come only through this interface, asked by name (JWT_SECRET, DATABASE_URL,
// BACKUP_ENCRYPTION_KEY, AWS_SECRET_ACCESS_KEY, ...). The chain looks, in order:
//   1. a remote store (AWS Secrets Manager) when one is configured and NAME_NAME names the stored
//      secret: "prod/jwt" (the whole string), "prod/db#password" (one key of a JSON secret), or for
//      DATABASE_URL a whole RDS-style JSON secret (engine, host, port, username, password, dbname)
//      turned into a URL;
//   2. the file named by NAME_FILE (a warning, once, when others can read it);
//   3. the environment variable NAME.
// Setting both NAME and NAME_FILE is an error. Remote values are cached for SECRETS_CACHE_TTL_SECONDS
// and refreshed in the background; a failed refresh keeps the last good value, is logged and counted,
// and is retried with jittered exponential backoff. Secret values are never logged.
// Thread-safety: SecretChain is safe for concurrent use.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "security/secret.h"

namespace oeuvre::security {

class SecretSource {
 public:
  virtual ~SecretSource() = default;
  // The secret's value, nullopt when this source does not have it, kUnavailable when it cannot tell.
  virtual Result<std::optional<std::string>> get(const std::string& name) = 0;
};

// A store of secrets by id and version stage (AWS Secrets Manager: AWSCURRENT, AWSPREVIOUS).
class RemoteSecretStore {
 public:
  virtual ~RemoteSecretStore() = default;
  // The secret's string; kNotFound when the id (or the stage) does not exist, kForbidden when access
  // is denied, kUnavailable when the store cannot be reached or answers too slowly.
  virtual Result<std::string> fetch(const std::string& secret_id, const std::string& stage) = 0;
  // "AWS Secrets Manager (eu-west-1)", for messages.
  virtual std::string describe() const = 0;
};

inline constexpr const char* kCurrentStage = "AWSCURRENT";
inline constexpr const char* kPreviousStage = "AWSPREVIOUS";

struct SecretChainOptions {
  std::chrono::seconds ttl{300};                  // SECRETS_CACHE_TTL_SECONDS
  std::chrono::milliseconds first_backoff{1000};  // after a failed refresh; doubles, capped at ttl
  // Called with the secret's name after a refresh failed (the oeuvre_secret_refresh_failures_total
  // counter) and after a refresh changed a value (rotation).
  std::function<void(const std::string& name)> on_refresh_failure;
  std::function<void(const std::string& name)> on_change;
};

class SecretChain final : public SecretSource {
 public:
  // `remote` may be null (no remote store configured).
  SecretChain(std::unique_ptr<RemoteSecretStore> remote, SecretChainOptions options);
  ~SecretChain() override;  // stops the refresher
  // Stops the background refresher (waiting for a refresh in progress, and its callbacks); values
  // stay cached. Idempotent.
  void stop();
  SecretChain(const SecretChain&) = delete;
  SecretChain& operator=(const SecretChain&) = delete;

  Result<std::optional<std::string>> get(const std::string& name) override;
  // A version stage of a remotely stored secret (AWSPREVIOUS for the JWT key); nullopt when the
  // secret is not remote or has no such stage.
  Result<std::optional<std::string>> get_stage(const std::string& name, const std::string& stage);
  // Reads the secret again now, past the cache (a database password rejected by the server).
  Result<std::optional<std::string>> get_fresh(const std::string& name);
  // Where `name` comes from, for `oeuvre config show` and error messages: "AWS Secrets Manager
  // (eu-west-1) prod/db#password", "file /run/secrets/jwt", "environment", or "" when not set.
  std::string source_of(const std::string& name) const;
  // The places looked for `name`, for the error when a required secret is missing.
  std::string places_for(const std::string& name) const;

 private:
  struct Entry {
    std::string name;       // the setting (JWT_SECRET)
    std::string secret_id;  // prod/jwt
    std::string stage;
    Secret value;  // the whole stored string
    std::chrono::steady_clock::time_point next_refresh;
    int failures = 0;
  };
  using Key = std::pair<std::string, std::string>;  // secret id, stage

  Result<std::optional<std::string>> get_remote(const std::string& name, const std::string& reference,
                                                const std::string& stage, bool fresh);
  void refresh_loop();
  std::chrono::steady_clock::time_point next_after_failure(int failures);

  const std::unique_ptr<RemoteSecretStore> remote_;
  SecretChainOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<Key, Entry> cache_;            // guarded by mutex_
  std::set<std::string> warned_files_;    // guarded by mutex_
  bool stopping_ = false;                 // guarded by mutex_
  std::thread refresher_;                 // started with the first remote entry
};

// Selects from a stored secret's string: "#key" of a JSON object (a string or a number), or for
// DATABASE_URL a whole RDS-style JSON object turned into a postgres:// URL. kValidation naming `name`
// when the secret is not what the reference asks for (the message never holds the secret).
Result<std::string> select_secret_value(const std::string& name, const std::string& stored,
                                        const std::string& json_key);

// The chain without a remote store (NAME_FILE and NAME only): for the AWS credentials the remote store
// itself signs with. (app/secrets_setup.h makes the whole chain from the environment.)
std::unique_ptr<SecretSource> make_environment_secret_source();

// The secret from `source`; when absent, one generated once (random, `bytes` long, base64url) and kept
// in var_dir/<file_name> with mode 0600, so restarts keep sessions valid.
Result<std::string> resolve_or_generate_secret(SecretSource& source, const std::string& name,
                                               const std::string& var_dir, const std::string& file_name,
                                               std::size_t bytes);

}  // namespace oeuvre::security
