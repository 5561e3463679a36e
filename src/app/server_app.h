#pragma once
// The assembled service: store (migrated), metrics, services, router, middleware chain and HTTP server,
// and the /metrics listener (METRICS_PORT) with the sampler of readiness and queues behind it.
// `oeuvre serve` and the integration tests build it the same way.

#include <memory>
#include <optional>
#include <string>

#include "core/config.h"
#include "core/result.h"
#include "http/server.h"
#include "observability/metrics.h"
#include "security/secrets.h"
#include "services/auth_service.h"
#include "store/database.h"

namespace oeuvre::app {

// Opens the store named by config.database_url and applies pending migrations. When DATABASE_URL
// comes from `secrets`, a connection refused authentication re-reads it (a rotated password). With
// `metrics`, the pool's waits and every statement are measured into it (REQUIRES: it outlives the
// database).
Result<std::unique_ptr<store::Database>> open_migrated_database(const Config& config,
                                                                std::shared_ptr<security::SecretChain> secrets,
                                                                obs::Metrics* metrics = nullptr);

// The auth settings from config plus the JWT signing keys from `secrets`.
Result<services::AuthSettings> auth_settings_from(const Config& config, security::SecretChain& secrets);

class ServerApp {
 public:
  // Opens and migrates the store, resolves secrets, and binds the listening socket.
  static Result<std::unique_ptr<ServerApp>> create(const Config& config);
  ~ServerApp();

  std::uint16_t port() const;
  // The /metrics listener's port; 0 when there is none (METRICS_PORT=-1).
  std::uint16_t metrics_port() const;
  // Serves until stop(); then closes the store. Installs SIGINT/SIGTERM handlers when asked.
  void run(bool handle_signals);
  // Graceful stop; safe from any thread.
  void stop();

  store::Database& database();
  services::AuthService& auth();

 private:
  ServerApp() = default;
  struct Parts;
  // The /metrics listener on METRICS_ADDRESS:METRICS_PORT (none when the port is -1), its thread
  // started.
  static Status start_metrics_listener(Parts& p, const Config& config, const std::optional<std::string>& token);
  // Stops and joins the /metrics listener, if it runs.
  void stop_metrics_listener();
  std::unique_ptr<Parts> parts_;
};

}  // namespace oeuvre::app
