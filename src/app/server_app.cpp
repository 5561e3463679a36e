#include "app/server_app.h"

#include <algorithm>
#include <filesystem>
#include <thread>

#include "api/service_stack.h"
#include "app/secrets_setup.h"
#include "backup/backup_schedule.h"
#include "cache/cache.h"
#include "cache/redis_client.h"
#include "core/private_files.h"
#include "observability/log.h"
#include "security/jwt.h"
#include "security/secrets.h"
#include "services/status_sampler.h"
#include "store/database_url.h"
#include "store/migrations.h"
#include "web/embedded_web_files.h"
#include "web/web_app_route.h"
#include "web/web_files.h"

namespace oeuvre::app {

namespace {

// WORKER_THREADS=0: on PostgreSQL one thread per pooled session (handlers mostly wait on the
// network); on SQLite the store work is in-process CPU, plus waits for the one write lock, so twice
// the cores, at least 4, at most the pool. (A results page, 8 clients, 2 cores, p99: SQLite
// 19.6-20.2 ms with 8 threads, 15.1-17.3 ms with 4; PostgreSQL 21.5-21.6 ms with 8, 20.1-23.1 ms
// with 4, 26.3-29.9 ms with 2.)
int automatic_worker_threads(store::Dialect dialect, int pool_size) {
  if (dialect == store::Dialect::kPostgres) return pool_size;
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  return std::min(pool_size, std::max(4, 2 * cores));
}

}  // namespace

Result<std::unique_ptr<store::Database>> open_migrated_database(
    const Config& config, std::shared_ptr<security::SecretChain> secrets, obs::Metrics* metrics) {
  store::DatabaseOptions options;
  options.metrics = metrics;
  options.url = config.database_url;
  // A rotated password: when a new connection is refused authentication, DATABASE_URL is read again
  // past the cache and the connection retried once with it.
  if (!secrets->source_of("DATABASE_URL").empty()) {
    options.reread_url = [secrets]() -> Result<std::string> {
      ASSIGN_OR_RETURN(std::optional<std::string> url, secrets->get_fresh("DATABASE_URL"));
      if (!url) return Error::Unavailable("DATABASE_URL is no longer set");
      return std::move(*url);
    };
  }
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

// The JWT signing keys: JWT_SECRET (generated under VAR_DIR on the embedded default) and the
// previous version (AWSPREVIOUS in Secrets Manager, or JWT_SECRET_PREVIOUS), still accepted until
// its tokens expire.
Status load_jwt_keys(security::SecretChain& secrets, const Config& config,
                     security::JwtKeyring* keyring, std::string* current_out) {
  ASSIGN_OR_RETURN(std::string current,
                   security::resolve_or_generate_secret(secrets, "JWT_SECRET", config.var_dir,
                                                        "jwt_secret", 48));
  ASSIGN_OR_RETURN(std::optional<std::string> previous,
                   secrets.get_stage("JWT_SECRET", security::kPreviousStage));
  if (!previous) {
    ASSIGN_OR_RETURN(previous, secrets.get("JWT_SECRET_PREVIOUS"));
  }
  if (auto valid = security::validate_jwt_secret(current); !valid.ok()) {
    const std::string reason = valid.error().message();
    return Error(ErrorCode::kValidation, "JWT_SECRET: " + reason,
                 {FieldError{"JWT_SECRET", reason}});
  }
  if (current_out != nullptr) *current_out = current;
  if (keyring != nullptr) RETURN_IF_ERROR(keyring->set(std::move(current), std::move(previous)));
  return OkStatus();
}

Result<services::AuthSettings> auth_settings_from(const Config& config,
                                                  security::SecretChain& secrets) {
  services::AuthSettings settings;
  RETURN_IF_ERROR(load_jwt_keys(secrets, config, nullptr, &settings.jwt_secret));
  settings.jwt_keys = std::make_shared<security::JwtKeyring>(settings.jwt_secret);
  RETURN_IF_ERROR(load_jwt_keys(secrets, config, settings.jwt_keys.get(), nullptr));
  settings.access_ttl = std::chrono::seconds(config.access_token_ttl_seconds);
  settings.refresh_ttl = std::chrono::seconds(config.refresh_token_ttl_seconds);
  settings.allow_registration = config.allow_registration;
  settings.registrations_per_address_per_hour = config.registrations_per_address_per_hour;
  settings.password_hash_concurrency = config.password_hash_concurrency;
  settings.login_limits.failures_per_account_address = config.login_failures_per_account_address;
  settings.login_limits.failures_per_account = config.login_failures_per_account;
  settings.login_limits.failures_per_address = config.login_failures_per_address;
  settings.login_limits.first_lockout = std::chrono::seconds(config.login_lockout_seconds);
  settings.login_limits.max_lockout = std::chrono::seconds(config.login_lockout_max_seconds);
  settings.login_limits.failure_window = std::chrono::seconds(config.login_failure_window_seconds);
  if (config.password_hash_cost == "minimal") {
    settings.password_cost = security::PasswordCost::minimal();
  } else if (config.password_hash_cost == "interactive") {
    settings.password_cost = security::PasswordCost::interactive();
  } else {
    return Error::Validation("PASSWORD_HASH_COST", "must be interactive or minimal");
  }
  return settings;
}

namespace {

struct UploadDirectories {
  std::string incoming;  // uploads stream here first
  std::string blobs;     // stored files; same filesystem as `incoming`, so adopting one is a rename
  std::string spool;     // bank statements' transactions read at upload (IngestOptions::spool_dir)
};

// Removes the regular files in `dir` last written before `age` ago; how many.
std::size_t remove_older_than(const std::string& dir, std::chrono::hours age) {
  std::error_code ec;
  std::size_t removed = 0;
  const auto cutoff = std::filesystem::file_time_type::clock::now() - age;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || entry.last_write_time(ec) > cutoff || ec) continue;
    if (std::filesystem::remove(entry.path(), ec)) ++removed;
  }
  return removed;
}

// Creates the folders, the owner's alone (0700, as is VAR_DIR), and removes partial uploads a
// previous process left behind (it stopped mid-request; nothing refers to them). Only those an hour
// old: nodes share VAR_DIR/uploads (docs/operations.md), and another node's upload in progress is
// written to at least every READ_TIMEOUT_SECONDS (at most an hour). Spools a day old go too: a
// file is parsed minutes after its upload, and one whose spool is gone is parsed from its bytes.
Result<UploadDirectories> prepare_upload_directories(const std::string& var_dir) {
  UploadDirectories dirs{var_dir + "/uploads/incoming", var_dir + "/uploads/blobs",
                         var_dir + "/uploads/spool"};
  for (const std::string& dir : {var_dir + "/uploads", dirs.incoming, dirs.blobs, dirs.spool}) {
    RETURN_IF_ERROR(make_private_directory(dir));
  }
  const std::size_t removed = remove_older_than(dirs.incoming, std::chrono::hours(1));
  if (removed > 0) obs::log_info("removed partial uploads", {{"count", removed}});
  const std::size_t spools = remove_older_than(dirs.spool, std::chrono::hours(24));
  if (spools > 0) obs::log_info("removed stale spools of uploaded statements", {{"count", spools}});
  return dirs;
}

// The backup store the status route lists and the schedule writes to: S3 when BACKUP_S3_BUCKET is
// set, else BACKUP_DIR when backups are on or the directory exists; nullptr when there is none. Bad
// S3 settings stop the server.
Result<std::shared_ptr<backup::BackupStore>> backup_store_from(const Config& config,
                                                               security::SecretSource& secrets) {
  const backup::BackupStoreSettings settings = backup::backup_store_settings_of(config);
  std::error_code ec;
  if (settings.s3_bucket.empty() && !config.enable_automated_backups &&
      !std::filesystem::is_directory(settings.dir, ec)) {
    return std::shared_ptr<backup::BackupStore>();
  }
  ASSIGN_OR_RETURN(std::unique_ptr<backup::BackupStore> store,
                   backup::open_backup_store(settings, secrets));
  return std::shared_ptr<backup::BackupStore>(std::move(store));
}

// The backup schedule when ENABLE_AUTOMATED_BACKUPS is on (it then needs a valid key: an error
// otherwise, so the server does not start); nullptr, said once in the log, when it is off.
Result<std::unique_ptr<backup::BackupSchedule>> backup_schedule_from(
    const Config& config, store::Database& db, obs::Metrics& metrics,
    std::shared_ptr<backup::BackupStore> store, security::SecretChain& secrets) {
  if (!config.enable_automated_backups) {
    obs::log_info("automated backups off", {{"reason", "ENABLE_AUTOMATED_BACKUPS is not set"}});
    return std::unique_ptr<backup::BackupSchedule>();
  }
  auto key = backup::load_backup_key(secrets);
  if (!key.ok()) return std::move(key).error();
  if (!*key) {
    return Error::Validation(
        "BACKUP_ENCRYPTION_KEY",
        "is required by ENABLE_AUTOMATED_BACKUPS (backups are never unencrypted) and was not "
        "found; looked in " +
            secrets.places_for("BACKUP_ENCRYPTION_KEY"));
  }
  backup::ScheduleSettings settings;
  settings.interval = std::chrono::seconds(config.backup_interval_seconds);
  settings.source = {config.database_url, backup::blobs_dir_of(config.var_dir)};
  settings.store = std::move(store);
  settings.retention = {config.backup_keep_daily, config.backup_keep_weekly,
                        config.backup_keep_monthly, config.backup_keep_yearly};
  settings.verify = {config.database_url};
  obs::log_info("automated backups on", {{"interval_seconds", config.backup_interval_seconds},
                                         {"storage", settings.store->describe()},
                                         {"key_id", (*key)->id_hex()}});
  return std::make_unique<backup::BackupSchedule>(db, metrics, std::move(**key),
                                                  std::move(settings));
}

// How often readiness and the queues are sampled for the metrics (a scrape never waits on the
// store).
constexpr std::chrono::seconds kStatusSampleInterval{5};

// The cache's settings; REDIS_URL through the secret sources (it may hold a password), checked here
// so that a bad one stops the start with a clear message.
Result<cache::CacheSettings> cache_settings_from(const Config& config,
                                                 security::SecretChain& secrets) {
  cache::CacheSettings settings;
  settings.enabled = config.cache_enabled;
  settings.l1_bytes = static_cast<std::size_t>(config.cache_l1_bytes);
  settings.users_ttl = std::chrono::seconds(config.cache_users_ttl_seconds);
  settings.projects_ttl = std::chrono::seconds(config.cache_projects_ttl_seconds);
  settings.stats_ttl = std::chrono::seconds(config.cache_stats_ttl_seconds);
  settings.redis_timeout = std::chrono::milliseconds(config.redis_timeout_ms);
  ASSIGN_OR_RETURN(std::optional<std::string> url, secrets.get("REDIS_URL"));
  if (url && !url->empty()) {
    if (auto endpoint = cache::parse_redis_url(*url); !endpoint.ok()) {
      return Error::BadRequest("REDIS_URL: " + endpoint.error().message());
    }
    settings.redis_url = std::move(*url);
  }
  if (settings.enabled) {
    obs::log_info("cache", {{"l1_bytes", static_cast<std::int64_t>(settings.l1_bytes)},
                            {"l2", settings.redis_url.empty() ? "off" : "redis"}});
  }
  return settings;
}

// METRICS_TOKEN through the secret sources; nullopt when unset or empty.
Result<std::optional<std::string>> metrics_token(security::SecretChain& secrets) {
  ASSIGN_OR_RETURN(std::optional<std::string> token, secrets.get("METRICS_TOKEN"));
  if (token && token->empty()) token.reset();
  return token;
}

// The web app's files: WEB_DIR's when it is set (an unusable folder stops the start), else the copy
// compiled in (none when the app was not built). Said once in the log.
Result<std::shared_ptr<const web::WebFiles>> web_files_from(const Config& config) {
  if (!config.web_dir.empty()) {
    ASSIGN_OR_RETURN(std::shared_ptr<const web::WebFiles> files,
                     web::WebFiles::load_directory(config.web_dir));
    obs::log_info("web app", {{"source", "WEB_DIR"},
                              {"dir", config.web_dir},
                              {"files", files->size()},
                              {"bytes", files->total_bytes()}});
    return files;
  }
  std::shared_ptr<const web::WebFiles> files = web::WebFiles::from_embedded(web::embedded_web_files());
  if (files->index() == nullptr) {
    obs::log_info("web app not built: / answers a page saying how to build it",
                  {{"build", "cd web && npm ci && npm run build, then build oeuvre again"}});
  } else {
    obs::log_info("web app", {{"source", "embedded"},
                              {"files", files->size()},
                              {"bytes", files->total_bytes()}});
  }
  return files;
}

}  // namespace

struct ServerApp::Parts {
  obs::Metrics metrics;  // first: the database measures into it
  std::unique_ptr<store::Database> db;
  std::shared_ptr<security::JwtKeyring> jwt_keys;  // rotated by the chain's refresher
  std::shared_ptr<security::SecretChain> secrets;  // stopped by ~ServerApp before the parts go
  std::unique_ptr<api::ServiceStack> services;
  std::unique_ptr<http::Authenticator> authenticator;
  std::unique_ptr<http::Pipeline> pipeline;
  std::unique_ptr<http::Server> server;
  std::unique_ptr<backup::BackupSchedule> backups;  // null when automated backups are off
  std::unique_ptr<services::StatusSampler> status;
  // The /metrics listener (METRICS_PORT): its own router, chain and server, run by its own thread.
  std::unique_ptr<http::Pipeline> metrics_pipeline;
  std::unique_ptr<http::Server> metrics_server;
  std::thread metrics_thread;
};

// The /metrics listener: GET /metrics only, request ids but no access log (a scrape every few
// seconds would drown it) and no request metrics (scrapes are not the API's traffic).
Status ServerApp::start_metrics_listener(Parts& p, const Config& config,
                                         const std::optional<std::string>& token) {
  if (config.metrics_port < 0) {
    obs::log_info("no metrics listener",
                  {{"reason", "METRICS_PORT is -1"},
                   {"api_port_metrics", token ? "with METRICS_TOKEN" : "off"}});
    return OkStatus();
  }
  http::Router router;
  api::add_metrics_route(router, p.metrics, token, /*metrics_port=*/true);
  p.metrics_pipeline = std::make_unique<http::Pipeline>(std::move(router), p.metrics);
  p.metrics_pipeline->use(http::make_request_id_middleware());
  http::ServerOptions options;
  options.host = config.metrics_address;
  options.port = static_cast<std::uint16_t>(config.metrics_port);
  options.io_threads = 1;
  options.worker_threads = 1;
  options.max_connections = 64;
  options.max_connections_per_address = 64;
  options.read_timeout = std::chrono::seconds(10);
  options.shutdown_grace = std::chrono::seconds(1);
  p.metrics_server = std::make_unique<http::Server>(options, *p.metrics_pipeline, p.metrics);
  if (Status started = p.metrics_server->start(); !started.ok()) {
    return Error(started.error().code(), "METRICS_PORT " + std::to_string(config.metrics_port) +
                                             " on " + config.metrics_address + ": " +
                                             started.error().message());
  }
  p.metrics_thread = std::thread([server = p.metrics_server.get()] { server->run(); });
  obs::log_info("metrics listening", {{"host", config.metrics_address},
                                      {"port", p.metrics_server->port()},
                                      {"token", token ? "required" : "none"}});
  return OkStatus();
}

void ServerApp::stop_metrics_listener() {
  if (!parts_ || !parts_->metrics_thread.joinable()) return;
  parts_->metrics_server->stop();
  parts_->metrics_thread.join();
}

Result<std::unique_ptr<ServerApp>> ServerApp::create(const Config& config) {
  auto app = std::unique_ptr<ServerApp>(new ServerApp());
  app->parts_ = std::make_unique<Parts>();
  Parts& p = *app->parts_;
  // First: the default database lives in VAR_DIR, and so do secrets and uploads.
  RETURN_IF_ERROR(make_private_directory(config.var_dir));
  ASSIGN_OR_RETURN(std::shared_ptr<const web::WebFiles> web_files, web_files_from(config));
  security::SecretChainOptions secret_callbacks;
  secret_callbacks.on_refresh_failure = [&metrics = p.metrics](const std::string& name) {
    metrics.count_secret_refresh_failure(name);
  };
  secret_callbacks.on_change = [&p, config](const std::string& name) {
    if (name != "JWT_SECRET" || !p.jwt_keys) return;
    if (Status loaded = load_jwt_keys(*p.secrets, config, p.jwt_keys.get(), nullptr);
        !loaded.ok()) {
      obs::log_error("the rotated JWT key is not usable; keeping the keys in use",
                     {{"error", loaded.error().message()}});
    } else {
      obs::log_info("JWT signing key rotated", {{"kid", p.jwt_keys->current_kid()}});
    }
  };
  ASSIGN_OR_RETURN(p.secrets, make_secret_chain(std::move(secret_callbacks)));
  ASSIGN_OR_RETURN(p.db, open_migrated_database(config, p.secrets, &p.metrics));
  ASSIGN_OR_RETURN(std::optional<std::string> token, metrics_token(*p.secrets));
  ASSIGN_OR_RETURN(services::AuthSettings auth_settings, auth_settings_from(config, *p.secrets));
  p.jwt_keys = auth_settings.jwt_keys;
  ASSIGN_OR_RETURN(UploadDirectories dirs, prepare_upload_directories(config.var_dir));
  ASSIGN_OR_RETURN(std::shared_ptr<backup::BackupStore> backup_store,
                   backup_store_from(config, *p.secrets));
  ASSIGN_OR_RETURN(p.backups,
                   backup_schedule_from(config, *p.db, p.metrics, backup_store, *p.secrets));
  services::IngestOptions ingest;
  ingest.claims.workers = config.ingest_workers;
  ingest.claims.stale_after = std::chrono::seconds(config.ingest_stale_after_seconds);
  ingest.claims.max_attempts = config.ingest_max_attempts;
  ingest.spool_dir = dirs.spool;
  services::JobRunnerOptions jobs;
  jobs.claims.workers = config.job_workers;
  jobs.claims.stale_after = std::chrono::seconds(config.job_stale_after_seconds);
  jobs.claims.max_attempts = config.job_max_attempts;
  ASSIGN_OR_RETURN(cache::CacheSettings cache, cache_settings_from(config, *p.secrets));
  p.services = std::make_unique<api::ServiceStack>(*p.db, p.metrics, std::move(auth_settings),
                                                   store::make_directory_blob_store(dirs.blobs),
                                                   ingest, jobs, std::move(backup_store), cache);
  p.services->api().metrics_token = token;
  p.metrics.on_scrape([&metrics = p.metrics, &db = *p.db] {
    const store::PoolStats pool = db.pool_stats();
    metrics.set_pool(pool.in_use, pool.idle, pool.max);
  });
  p.authenticator = api::make_token_authenticator(p.services->auth());
  http::Router router = api::build_router(p.services->api());
  web::add_web_app(router, std::move(web_files));
  p.pipeline = std::make_unique<http::Pipeline>(std::move(router), p.metrics);
  p.pipeline->use(http::make_request_id_middleware());
  if (config.access_log) p.pipeline->use(http::make_access_log_middleware());
  if (config.metrics_enabled) p.pipeline->use(http::make_metrics_middleware(p.metrics));
  p.pipeline->use(http::make_authentication_middleware(*p.authenticator, p.metrics));
  p.pipeline->set_slow_request_threshold(std::chrono::milliseconds(config.slow_request_ms));

  http::ServerOptions options;
  options.host = config.host;
  options.port = config.port;
  options.io_threads = config.io_threads;
  options.io_thread_first = config.cache_enabled;
  options.worker_threads = config.worker_threads > 0
                               ? config.worker_threads
                               : automatic_worker_threads(p.db->dialect(), config.db_pool_size);
  options.max_body_bytes = config.max_body_bytes;
  options.max_upload_bytes = config.max_upload_bytes;
  options.upload_dir = dirs.incoming;
  options.max_connections = static_cast<std::size_t>(config.max_connections);
  options.max_connections_per_address = static_cast<std::size_t>(config.max_connections_per_ip);
  options.read_timeout = std::chrono::seconds(config.read_timeout_seconds);
  options.shutdown_grace = std::chrono::seconds(config.shutdown_grace_seconds);
  p.server = std::make_unique<http::Server>(options, *p.pipeline, p.metrics);
  RETURN_IF_ERROR(start_metrics_listener(p, config, token));
  RETURN_IF_ERROR(p.server->start());
  p.status = std::make_unique<services::StatusSampler>(*p.db, p.metrics, kStatusSampleInterval);
  p.status->start();
  p.services->ingest().start();
  p.services->jobs().start();
  if (p.backups) p.backups->start();
  obs::log_info("listening", {{"host", config.host},
                              {"port", p.server->port()},
                              {"worker_threads", options.worker_threads},
                              {"database", store::redact_database_url(config.database_url)}});
  return app;
}

ServerApp::~ServerApp() {
  // The refresher's callbacks use the keyring and the metrics: it stops before any part goes.
  if (parts_ && parts_->secrets) parts_->secrets->stop();
  stop_metrics_listener();
}

std::uint16_t ServerApp::port() const { return parts_->server->port(); }

std::uint16_t ServerApp::metrics_port() const {
  return parts_->metrics_server ? parts_->metrics_server->port() : 0;
}

void ServerApp::run(bool handle_signals) {
  if (handle_signals) parts_->server->handle_signals();
  parts_->server->run();
  parts_->services->ingest().stop();  // a file being parsed is handed back for the next start
  parts_->services->jobs().stop();    // so is a running job
  if (parts_->backups) parts_->backups->stop();  // a backup in progress finishes first
  parts_->status->stop();
  stop_metrics_listener();
  parts_->db->close();
  obs::log_info("stopped");
}

void ServerApp::stop() { parts_->server->stop(); }

store::Database& ServerApp::database() { return *parts_->db; }
services::AuthService& ServerApp::auth() { return parts_->services->auth(); }

}  // namespace oeuvre::app
