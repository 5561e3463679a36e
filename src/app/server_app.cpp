#include "app/server_app.h"

#include "api/api.h"
#include "observability/log.h"
#include "security/jwt.h"
#include "security/secrets.h"
#include "store/database_url.h"
#include "store/migrations.h"

namespace oeuvre::app {

Result<std::unique_ptr<store::Database>> open_migrated_database(const Config& config) {
  store::DatabaseOptions options;
  options.url = config.database_url;
  options.pool_size = config.db_pool_size;
  options.wait_timeout = std::chrono::milliseconds(config.db_wait_timeout_ms);
  ASSIGN_OR_RETURN(std::unique_ptr<store::Database> db, store::open_database(options));
  ASSIGN_OR_RETURN(std::vector<int> applied, store::apply_migrations(*db));
  if (!applied.empty()) {
    boost::json::array versions;
    for (int v : applied) versions.push_back(v);
    obs::log_info("migrations applied", {{"versions", versions}});
  }
  return db;
}

Result<services::AuthSettings> auth_settings_from(const Config& config) {
  services::AuthSettings settings;
  auto secrets = security::make_environment_secret_source();
  ASSIGN_OR_RETURN(settings.jwt_secret,
                   security::resolve_or_generate_secret(*secrets, "JWT_SECRET", config.var_dir, "jwt_secret", 48));
  if (auto valid = security::validate_jwt_secret(settings.jwt_secret); !valid.ok()) {
    return Error::Validation("JWT_SECRET", valid.error().message());
  }
  settings.access_ttl = std::chrono::seconds(config.access_token_ttl_seconds);
  settings.refresh_ttl = std::chrono::seconds(config.refresh_token_ttl_seconds);
  settings.allow_registration = config.allow_registration;
  if (config.password_hash_cost == "minimal") {
    settings.password_cost = security::PasswordCost::minimal();
  } else if (config.password_hash_cost == "interactive") {
    settings.password_cost = security::PasswordCost::interactive();
  } else {
    return Error::Validation("PASSWORD_HASH_COST", "must be interactive or minimal");
  }
  return settings;
}

struct ServerApp::Parts {
  std::unique_ptr<store::Database> db;
  obs::Metrics metrics;
  std::unique_ptr<services::AuthService> auth;
  std::unique_ptr<services::UserService> users;
  std::unique_ptr<services::ProjectService> projects;
  std::unique_ptr<services::AuditService> audit;
  std::unique_ptr<api::ApiServices> api;
  std::unique_ptr<http::Authenticator> authenticator;
  std::unique_ptr<http::Pipeline> pipeline;
  std::unique_ptr<http::Server> server;
};

Result<std::unique_ptr<ServerApp>> ServerApp::create(const Config& config) {
  auto app = std::unique_ptr<ServerApp>(new ServerApp());
  app->parts_ = std::make_unique<Parts>();
  Parts& p = *app->parts_;
  ASSIGN_OR_RETURN(p.db, open_migrated_database(config));
  ASSIGN_OR_RETURN(services::AuthSettings auth_settings, auth_settings_from(config));
  p.auth = std::make_unique<services::AuthService>(*p.db, std::move(auth_settings), p.metrics);
  p.users = std::make_unique<services::UserService>(*p.db);
  p.projects = std::make_unique<services::ProjectService>(*p.db);
  p.audit = std::make_unique<services::AuditService>(*p.db);
  p.api = std::make_unique<api::ApiServices>(
      api::ApiServices{*p.db, p.metrics, *p.auth, *p.users, *p.projects, *p.audit});
  p.authenticator = api::make_token_authenticator(*p.auth);
  p.pipeline = std::make_unique<http::Pipeline>(api::build_router(*p.api), p.metrics);
  p.pipeline->use(http::make_request_id_middleware());
  p.pipeline->use(http::make_access_log_middleware());
  p.pipeline->use(http::make_metrics_middleware(p.metrics));
  p.pipeline->use(http::make_authentication_middleware(*p.authenticator, p.metrics));

  http::ServerOptions options;
  options.host = config.host;
  options.port = config.port;
  options.io_threads = config.io_threads;
  options.worker_threads = config.worker_threads;
  options.max_body_bytes = config.max_body_bytes;
  options.shutdown_grace = std::chrono::seconds(config.shutdown_grace_seconds);
  p.server = std::make_unique<http::Server>(options, *p.pipeline, p.metrics);
  RETURN_IF_ERROR(p.server->start());
  obs::log_info("listening", {{"host", config.host},
                              {"port", p.server->port()},
                              {"database", store::redact_database_url(config.database_url)}});
  return app;
}

ServerApp::~ServerApp() = default;

std::uint16_t ServerApp::port() const { return parts_->server->port(); }

void ServerApp::run(bool handle_signals) {
  if (handle_signals) parts_->server->handle_signals();
  parts_->server->run();
  parts_->db->close();
  obs::log_info("stopped");
}

void ServerApp::stop() { parts_->server->stop(); }

store::Database& ServerApp::database() { return *parts_->db; }
services::AuthService& ServerApp::auth() { return *parts_->auth; }

}  // namespace oeuvre::app
