#pragma once
// Secrets come only through this interface. Today: the environment (X or X_FILE) and, on the embedded
// default, secrets generated once and kept under VAR_DIR with mode 0600. AWS Secrets Manager arrives as
// another SecretSource. Secret values are never logged.

#include <memory>
#include <optional>
#include <string>

#include "core/result.h"

namespace oeuvre::security {

class SecretSource {
 public:
  virtual ~SecretSource() = default;
  // The secret's value, nullopt when this source does not have it, kUnavailable when it cannot tell.
  virtual Result<std::optional<std::string>> get(const std::string& name) = 0;
};

// Reads NAME, else the file named by NAME_FILE.
std::unique_ptr<SecretSource> make_environment_secret_source();

// The secret from `source`; when absent, one generated once (random, `bytes` long, base64url) and kept
// in var_dir/<file_name> with mode 0600, so restarts keep sessions valid.
Result<std::string> resolve_or_generate_secret(SecretSource& source, const std::string& name,
                                               const std::string& var_dir, const std::string& file_name,
                                               std::size_t bytes);

}  // namespace oeuvre::security
