// oeuvre: the one binary. Subcommands: serve, migrate, user create, reconcile, backup.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <unistd.h>

#include "app/backup_command.h"
#include "app/reconcile_command.h"
#include "app/server_app.h"
#include "observability/log.h"
#include "security/crypto.h"
#include "services/project_service.h"
#include "store/user_repository.h"
#include "store/transaction.h"

namespace {

using oeuvre::Config;

// X_FILE -> X for the non-secret settings, so CLI11's environment lookup sees them.
void apply_file_settings() {
  for (const char* name : {"DATABASE_URL", "HOST", "PORT", "IO_THREADS", "WORKER_THREADS", "DB_POOL_SIZE",
                            "DB_WAIT_TIMEOUT_MS", "MAX_BODY_BYTES", "MAX_UPLOAD_BYTES", "MAX_CONNECTIONS",
                            "MAX_CONNECTIONS_PER_IP", "READ_TIMEOUT_SECONDS", "METRICS_ADDRESS", "METRICS_PORT", "LOG_LEVEL", "VAR_DIR",
                            "ACCESS_TOKEN_TTL_SECONDS", "REFRESH_TOKEN_TTL_SECONDS", "PASSWORD_HASH_COST",
                            "ALLOW_REGISTRATION", "SHUTDOWN_GRACE_SECONDS", "INGEST_WORKERS",
                            "INGEST_STALE_AFTER_SECONDS", "INGEST_MAX_ATTEMPTS", "JOB_WORKERS",
                            "JOB_STALE_AFTER_SECONDS", "JOB_MAX_ATTEMPTS", "REGISTRATIONS_PER_ADDRESS_PER_HOUR",
                            "PASSWORD_HASH_CONCURRENCY", "LOGIN_FAILURES_PER_ACCOUNT_ADDRESS",
                            "LOGIN_FAILURES_PER_ACCOUNT", "LOGIN_FAILURES_PER_ADDRESS", "LOGIN_LOCKOUT_SECONDS",
                            "LOGIN_LOCKOUT_MAX_SECONDS", "LOGIN_FAILURE_WINDOW_SECONDS",
                            "BACKUP_DIR", "ENABLE_AUTOMATED_BACKUPS", "BACKUP_INTERVAL_SECONDS", "BACKUP_KEEP_DAILY",
                            "BACKUP_KEEP_WEEKLY", "BACKUP_KEEP_MONTHLY", "BACKUP_KEEP_YEARLY"}) {
    if (std::getenv(name) != nullptr) continue;
    if (auto value = oeuvre::read_setting(name)) ::setenv(name, value->c_str(), 0);
  }
}

void add_store_options(CLI::App& cmd, Config& c) {
  cmd.add_option("--database-url", c.database_url, "sqlite:///path or postgres://...")->envname("DATABASE_URL");
  cmd.add_option("--db-pool-size", c.db_pool_size, "database connections")->envname("DB_POOL_SIZE")
      ->check(CLI::Range(1, 512));
  cmd.add_option("--db-wait-timeout-ms", c.db_wait_timeout_ms, "wait for a free connection before 503")
      ->envname("DB_WAIT_TIMEOUT_MS")->check(CLI::Range(1, 600000));
  cmd.add_option("--var-dir", c.var_dir, "folder for generated secrets and local files")->envname("VAR_DIR");
  cmd.add_option("--log-level", c.log_level, "debug|info|warn|error")->envname("LOG_LEVEL");
  cmd.add_option("--password-hash-cost", c.password_hash_cost, "interactive|minimal (tests only)")
      ->envname("PASSWORD_HASH_COST")->check(CLI::IsMember({"interactive", "minimal"}));
}

// Registration and login throttling, and how many password hashes run at once.
void add_account_protection_options(CLI::App& cmd, Config& c) {
  cmd.add_option("--registrations-per-address-per-hour", c.registrations_per_address_per_hour)
      ->envname("REGISTRATIONS_PER_ADDRESS_PER_HOUR")->check(CLI::Range(1, 1000000));
  cmd.add_option("--password-hash-concurrency", c.password_hash_concurrency, "password hashes at once (0: the cores)")
      ->envname("PASSWORD_HASH_CONCURRENCY")->check(CLI::Range(0, 1024));
  cmd.add_option("--login-failures-per-account-address", c.login_failures_per_account_address)
      ->envname("LOGIN_FAILURES_PER_ACCOUNT_ADDRESS")->check(CLI::Range(1, 1000000));
  cmd.add_option("--login-failures-per-account", c.login_failures_per_account)
      ->envname("LOGIN_FAILURES_PER_ACCOUNT")->check(CLI::Range(1, 1000000));
  cmd.add_option("--login-failures-per-address", c.login_failures_per_address)
      ->envname("LOGIN_FAILURES_PER_ADDRESS")->check(CLI::Range(1, 1000000));
  cmd.add_option("--login-lockout-seconds", c.login_lockout_seconds, "the first lockout; doubles with each failure after it")
      ->envname("LOGIN_LOCKOUT_SECONDS")->check(CLI::Range(1, 86400));
  cmd.add_option("--login-lockout-max-seconds", c.login_lockout_max_seconds)
      ->envname("LOGIN_LOCKOUT_MAX_SECONDS")->check(CLI::Range(1, 7 * 86400));
  cmd.add_option("--login-failure-window-seconds", c.login_failure_window_seconds, "failures are forgotten after this long without one")
      ->envname("LOGIN_FAILURE_WINDOW_SECONDS")->check(CLI::Range(1, 30 * 86400));
}

int fail(const oeuvre::Error& error) {
  if (error.field_errors().empty()) std::cerr << "oeuvre: " << error.message() << "\n";
  for (const auto& fe : error.field_errors()) std::cerr << "oeuvre: " << fe.field << ": " << fe.message << "\n";
  return error.code() == oeuvre::ErrorCode::kUnavailable ? 69 : 2;
}

// Creates demo@oeuvre.local (password printed once) and a demo project when absent.
int seed_demo(oeuvre::app::ServerApp& app) {
  using namespace oeuvre;
  auto existing = store::with_connection(app.database(), [](store::Connection& conn) {
    return store::UserRepository::find_by_email(conn, "demo@oeuvre.local");
  });
  if (!existing.ok()) return fail(existing.error());
  if (*existing) {
    std::cout << "demo user: demo@oeuvre.local (password printed when it was created)\n";
    return 0;
  }
  auto generated = security::random_token(12);
  if (!generated.ok()) return fail(generated.error());
  const std::string password = *generated;
  services::RequestMeta meta{"demo-seed", "127.0.0.1", "oeuvre serve --demo"};
  auto user = app.auth().create_user({"demo@oeuvre.local", password, "Demo admin", Role::kAdmin}, std::nullopt, meta);
  if (!user.ok()) return fail(user.error());
  services::ProjectService projects(app.database());
  auto project = projects.create({user->id, Role::kAdmin}, "Demo project", "Bank statement vs general ledger", meta);
  if (!project.ok()) return fail(project.error());
  std::cout << "demo admin: demo@oeuvre.local  password: " << password << "\n"
            << "demo project: " << project->id.to_string() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  apply_file_settings();
  CLI::App cli{"Œuvre: reconcile records from two or more systems"};
  cli.require_subcommand(1);
  Config config;

  auto* serve = cli.add_subcommand("serve", "run the HTTP API");
  add_store_options(*serve, config);
  serve->add_option("--host", config.host, "listen address")->envname("HOST");
  serve->add_option("--port", config.port, "listen port (0 picks one)")->envname("PORT");
  serve->add_option("--io-threads", config.io_threads)->envname("IO_THREADS")->check(CLI::Range(1, 64));
  serve->add_option("--worker-threads", config.worker_threads)->envname("WORKER_THREADS")->check(CLI::Range(0, 512));
  serve->add_option("--max-body-bytes", config.max_body_bytes, "largest JSON request body")
      ->envname("MAX_BODY_BYTES")->check(CLI::Range(std::size_t{1024}, std::size_t{64} << 20));
  serve->add_option("--max-upload-bytes", config.max_upload_bytes, "largest uploaded file")
      ->envname("MAX_UPLOAD_BYTES")->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  serve->add_option("--max-connections", config.max_connections, "connections open at once; one more is refused")
      ->envname("MAX_CONNECTIONS")->check(CLI::Range(1, 1'000'000));
  serve->add_option("--max-connections-per-ip", config.max_connections_per_ip,
                    "connections open at once from one client address")
      ->envname("MAX_CONNECTIONS_PER_IP")->check(CLI::Range(1, 1'000'000));
  serve->add_option("--read-timeout-seconds", config.read_timeout_seconds,
                    "a request's head (a new connection's first, from the connection's start), then its body")
      ->envname("READ_TIMEOUT_SECONDS")->check(CLI::Range(1, 3600));
  serve->add_option("--metrics-address", config.metrics_address, "where GET /metrics listens (keep it private)")
      ->envname("METRICS_ADDRESS");
  serve->add_option("--metrics-port", config.metrics_port,
                    "the /metrics listener's port (0 picks one; -1: none, /metrics only with METRICS_TOKEN)")
      ->envname("METRICS_PORT")->check(CLI::Range(-1, 65535));
  serve->add_option("--access-token-ttl-seconds", config.access_token_ttl_seconds)
      ->envname("ACCESS_TOKEN_TTL_SECONDS")->check(CLI::Range(30, 86400));
  serve->add_option("--refresh-token-ttl-seconds", config.refresh_token_ttl_seconds)
      ->envname("REFRESH_TOKEN_TTL_SECONDS")->check(CLI::Range(60, 365 * 86400));
  serve->add_option("--allow-registration", config.allow_registration)->envname("ALLOW_REGISTRATION");
  serve->add_option("--shutdown-grace-seconds", config.shutdown_grace_seconds)
      ->envname("SHUTDOWN_GRACE_SECONDS")->check(CLI::Range(0, 3600));
  serve->add_option("--ingest-workers", config.ingest_workers, "threads parsing uploaded files (0: this node parses none)")
      ->envname("INGEST_WORKERS")->check(CLI::Range(0, 64));
  serve->add_option("--ingest-stale-after-seconds", config.ingest_stale_after_seconds,
                    "a file being parsed without a heartbeat for this long is parsed again (its worker died)")
      ->envname("INGEST_STALE_AFTER_SECONDS")->check(CLI::Range(2, 86400));
  serve->add_option("--ingest-max-attempts", config.ingest_max_attempts, "claims of one file before it is failed")
      ->envname("INGEST_MAX_ATTEMPTS")->check(CLI::Range(1, 100));
  serve->add_option("--job-workers", config.job_workers, "threads running reconciliation jobs (0: this node runs none)")
      ->envname("JOB_WORKERS")->check(CLI::Range(0, 64));
  serve->add_option("--job-stale-after-seconds", config.job_stale_after_seconds,
                    "a running job without a heartbeat for this long is re-queued (its worker died)")
      ->envname("JOB_STALE_AFTER_SECONDS")->check(CLI::Range(2, 86400));
  serve->add_option("--job-max-attempts", config.job_max_attempts, "claims of one job before it is failed")
      ->envname("JOB_MAX_ATTEMPTS")->check(CLI::Range(1, 100));
  add_account_protection_options(*serve, config);
  serve->add_option("--enable-automated-backups", config.enable_automated_backups,
                    "take, verify and prune backups every BACKUP_INTERVAL_SECONDS (needs BACKUP_ENCRYPTION_KEY)")
      ->envname("ENABLE_AUTOMATED_BACKUPS");
  serve->add_option("--backup-interval-seconds", config.backup_interval_seconds)
      ->envname("BACKUP_INTERVAL_SECONDS")->check(CLI::Range(1, 366 * 86400));
  serve->add_option("--backup-dir", config.backup_dir, "where backups are kept (default VAR_DIR/backups)")
      ->envname("BACKUP_DIR");
  serve->add_option("--backup-keep-daily", config.backup_keep_daily)->envname("BACKUP_KEEP_DAILY")->check(CLI::Range(0, 10000));
  serve->add_option("--backup-keep-weekly", config.backup_keep_weekly)->envname("BACKUP_KEEP_WEEKLY")->check(CLI::Range(0, 10000));
  serve->add_option("--backup-keep-monthly", config.backup_keep_monthly)->envname("BACKUP_KEEP_MONTHLY")->check(CLI::Range(0, 10000));
  serve->add_option("--backup-keep-yearly", config.backup_keep_yearly)->envname("BACKUP_KEEP_YEARLY")->check(CLI::Range(0, 10000));
  bool demo = false;
  serve->add_flag("--demo", demo, "create a demo admin and project when absent");

  auto* migrate = cli.add_subcommand("migrate", "apply pending database migrations and exit");
  add_store_options(*migrate, config);

  auto* user = cli.add_subcommand("user", "manage users")->require_subcommand(1);
  auto* user_create = user->add_subcommand("create", "create a user (the first admin, typically)");
  add_store_options(*user_create, config);
  std::string email, display_name, password_file;
  bool admin = false;
  user_create->add_option("--email", email, "the user's email")->required();
  user_create->add_option("--display-name", display_name);
  user_create->add_option("--password-file", password_file,
                          "read the password from this file (default: the first line of standard input)");
  user_create->add_flag("--admin", admin, "give the admin role");

  oeuvre::add_reconcile_command(cli);
  oeuvre::add_backup_command(cli, config, add_store_options);

  CLI11_PARSE(cli, argc, argv);
  oeuvre::obs::init_logging(config.log_level);

  if (*migrate) {
    auto db = oeuvre::app::open_migrated_database(config);
    if (!db.ok()) return fail(db.error());
    std::cout << "migrations up to date\n";
    return 0;
  }
  if (*user_create) {
    std::string password;
    if (!password_file.empty()) {
      ::setenv("OEUVRE_NEW_USER_PASSWORD_FILE", password_file.c_str(), 1);
      auto value = oeuvre::read_setting("OEUVRE_NEW_USER_PASSWORD");
      ::unsetenv("OEUVRE_NEW_USER_PASSWORD_FILE");
      if (!value) return fail(oeuvre::Error::Validation("--password-file", "cannot be read"));
      password = *value;
    } else {
      if (::isatty(STDIN_FILENO)) std::cerr << "password: ";
      std::getline(std::cin, password);
    }
    auto db = oeuvre::app::open_migrated_database(config);
    if (!db.ok()) return fail(db.error());
    auto settings = oeuvre::app::auth_settings_from(config);
    if (!settings.ok()) return fail(settings.error());
    oeuvre::obs::Metrics metrics;
    oeuvre::services::AuthService auth(**db, std::move(settings).value(), metrics);
    oeuvre::services::RequestMeta meta{"cli", "local", "oeuvre user create"};
    auto created = auth.create_user({email, password, display_name, admin ? oeuvre::Role::kAdmin : oeuvre::Role::kUser}, std::nullopt, meta);
    if (!created.ok()) return fail(created.error());
    std::cout << "created " << oeuvre::to_string(created->role) << " " << created->email << " (" << created->id.to_string() << ")\n";
    return 0;
  }
  if (*serve) {
    auto app = oeuvre::app::ServerApp::create(config);
    if (!app.ok()) return fail(app.error());
    if (demo) {
      if (int rc = seed_demo(**app); rc != 0) return rc;
    }
    if ((*app)->metrics_port() != 0) {
      std::cout << "metrics on http://" << config.metrics_address << ":" << (*app)->metrics_port() << "/metrics"
                << std::endl;
    }
    std::cout << "Œuvre listening on http://" << config.host << ":" << (*app)->port() << std::endl;
    (*app)->run(/*handle_signals=*/true);
    return 0;
  }
  return 0;
}
