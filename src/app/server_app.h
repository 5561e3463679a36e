#pragma once
// The assembled service: store (migrated), metrics, services, router, middleware chain and HTTP server.
// `oeuvre serve` and the integration tests build it the same way.

#include <memory>

#include "core/config.h"
#include "core/result.h"
#include "http/server.h"
#include "security/secrets.h"
#include "services/auth_service.h"
#include "store/database.h"

namespace oeuvre::app {

// Opens the store named by config.database_url and applies pending migrations. When DATABASE_URL
// comes from `secrets`, a connection refused authentication re-reads it (a rotated password).
Result<std::unique_ptr<store::Database>> open_migrated_database(const Config& config,
                                                                std::shared_ptr<security::SecretChain> secrets);

// The auth settings from config plus the JWT signing keys from `secrets`.
Result<services::AuthSettings> auth_settings_from(const Config& config, security::SecretChain& secrets);

class ServerApp {
 public:
  // Opens and migrates the store, resolves secrets, and binds the listening socket.
  static Result<std::unique_ptr<ServerApp>> create(const Config& config);
  ~ServerApp();

  std::uint16_t port() const;
  // Serves until stop(); then closes the store. Installs SIGINT/SIGTERM handlers when asked.
  void run(bool handle_signals);
  // Graceful stop; safe from any thread.
  void stop();

  store::Database& database();
  services::AuthService& auth();

 private:
  ServerApp() = default;
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace oeuvre::app
