#pragma once
// AWS Secrets Manager as the chain's remote store (security/secrets.h): GetSecretValue over HTTPS
// (or AWS_SECRETS_MANAGER_ENDPOINT, for compatible stores and tests), signed with SigV4. Errors:
// ResourceNotFoundException -> kNotFound, AccessDeniedException (and other 4xx) -> kForbidden /
// kBadRequest with AWS's type and message, throttling, 5xx, a slow or unreachable endpoint ->
// kUnavailable. A binary secret (SecretBinary) is refused. Thread-safety: safe for concurrent use.

#include <chrono>
#include <memory>
#include <string>

#include "aws/credentials.h"
#include "aws/http_client.h"
#include "security/secrets.h"

namespace oeuvre::aws {

struct SecretsManagerOptions {
  std::string region;    // AWS_SECRETS_MANAGER_REGION (else AWS_REGION, else us-east-1)
  std::string endpoint;  // AWS_SECRETS_MANAGER_ENDPOINT; empty: https://secretsmanager.REGION.amazonaws.com
  Credentials credentials;
  std::chrono::milliseconds timeout{5000};  // SECRETS_TIMEOUT_MS: one call, connection included
};

class SecretsManager final : public security::RemoteSecretStore {
 public:
  static Result<std::unique_ptr<SecretsManager>> create(SecretsManagerOptions options);
  Result<std::string> fetch(const std::string& secret_id, const std::string& stage) override;
  std::string describe() const override { return "AWS Secrets Manager (" + options_.region + ")"; }

 private:
  SecretsManager(SecretsManagerOptions options, Endpoint endpoint)
      : options_(std::move(options)), endpoint_(std::move(endpoint)) {}
  SecretsManagerOptions options_;
  Endpoint endpoint_;
};

}  // namespace oeuvre::aws
