#include "app/secrets_setup.h"

#include <cstdlib>
#include <string>

#include "aws/secrets_manager.h"

namespace oeuvre::app {

namespace {

std::string setting(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

Result<long> number_setting(const char* name, long fallback, long min, long max) {
  const std::string text = setting(name);
  if (text.empty()) return fallback;
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || value < min || value > max) {
    return Error::Validation(name, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

}  // namespace

Result<std::shared_ptr<security::SecretChain>> make_secret_chain(security::SecretChainOptions callbacks) {
  ASSIGN_OR_RETURN(long ttl, number_setting("SECRETS_CACHE_TTL_SECONDS", 300, 1, 86400));
  ASSIGN_OR_RETURN(long timeout, number_setting("SECRETS_TIMEOUT_MS", 5000, 100, 120000));
  callbacks.ttl = std::chrono::seconds(ttl);
  std::unique_ptr<security::RemoteSecretStore> remote;
  const std::string region = setting("AWS_SECRETS_MANAGER_REGION");
  const std::string endpoint = setting("AWS_SECRETS_MANAGER_ENDPOINT");
  if (!region.empty() || !endpoint.empty()) {
    aws::SecretsManagerOptions options;
    options.region = !region.empty() ? region : setting("AWS_REGION");
    options.endpoint = endpoint;
    options.timeout = std::chrono::milliseconds(timeout);
    auto environment = security::make_environment_secret_source();
    auto credentials = aws::credentials_from(*environment);
    if (!credentials.ok()) {
      if (credentials.error().code() == ErrorCode::kNotFound) {
        return Error::Validation("AWS_ACCESS_KEY_ID",
                                 "AWS Secrets Manager is configured but there are no AWS credentials: set "
                                 "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or their _FILE forms)");
      }
      return std::move(credentials).error();
    }
    options.credentials = std::move(credentials).value();
    ASSIGN_OR_RETURN(std::unique_ptr<aws::SecretsManager> manager, aws::SecretsManager::create(std::move(options)));
    remote = std::move(manager);
  }
  return std::make_shared<security::SecretChain>(std::move(remote), std::move(callbacks));
}

}  // namespace oeuvre::app
