#pragma once
// The secret chain (security/secrets.h) as the environment configures it: AWS Secrets Manager when
// AWS_SECRETS_MANAGER_REGION or AWS_SECRETS_MANAGER_ENDPOINT is set (signed with the AWS credentials
// from the environment or their _FILE forms), SECRETS_CACHE_TTL_SECONDS (300) and SECRETS_TIMEOUT_MS
// (5000). Thread-safety: call from one thread at start-up.

#include <memory>

#include "core/result.h"
#include "security/secrets.h"

namespace oeuvre::app {

// kValidation naming the setting when one is malformed or the AWS credentials are missing.
Result<std::shared_ptr<security::SecretChain>> make_secret_chain(security::SecretChainOptions callbacks = {});

}  // namespace oeuvre::app
