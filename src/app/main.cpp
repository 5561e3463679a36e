// oeuvre: the one binary. Subcommands: serve, migrate, user create, reconcile, backup.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <unistd.h>

#include "app/backup_command.h"
#include "app/config_command.h"
#include "app/reconcile_command.h"
#include "app/secrets_setup.h"
#include "security/secret.h"
#include "store/database_url.h"
#include "app/server_app.h"
#include "observability/log.h"
#include "security/crypto.h"
#include "services/project_service.h"
#include "store/user_repository.h"
#include "store/transaction.h"

namespace {

using oeuvre::Config;

void add_store_options(CLI::App& cmd, Config& c) {
  // DATABASE_URL is a secret (it may hold a password): main() reads it through the secret chain.
  cmd.add_option("--database-url", c.database_url, "sqlite:///path or postgres://... (default: DATABASE_URL)");
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
  services::CachedReads uncached(app.database(), nullptr);  // before serving: nothing is cached yet
  services::ProjectService projects(app.database(), uncached);
  auto project = projects.create({user->id, Role::kAdmin}, "Demo project", "Bank statement vs general ledger", meta);
  if (!project.ok()) return fail(project.error());
  std::cout << "demo admin: demo@oeuvre.local  password: " << password << "\n"
            << "demo project: " << project->id.to_string() << "\n";
  return 0;
}

}  // namespace

// Every setting of `serve` (also listed by `config show`).
void add_serve_options(CLI::App& cmd, Config& c) {
  add_store_options(cmd, c);
  cmd.add_option("--host", c.host, "listen address")->envname("HOST");
  cmd.add_option("--port", c.port, "listen port (0 picks one)")->envname("PORT");
  cmd.add_option("--io-threads", c.io_threads)->envname("IO_THREADS")->check(CLI::Range(1, 64));
  cmd.add_option("--worker-threads", c.worker_threads)->envname("WORKER_THREADS")->check(CLI::Range(0, 512));
  cmd.add_option("--max-body-bytes", c.max_body_bytes, "largest JSON request body")
      ->envname("MAX_BODY_BYTES")->check(CLI::Range(std::size_t{1024}, std::size_t{64} << 20));
  cmd.add_option("--max-upload-bytes", c.max_upload_bytes, "largest uploaded file")
      ->envname("MAX_UPLOAD_BYTES")->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  cmd.add_option("--max-connections", c.max_connections, "connections open at once; one more is refused")
      ->envname("MAX_CONNECTIONS")->check(CLI::Range(1, 1'000'000));
  cmd.add_option("--max-connections-per-ip", c.max_connections_per_ip,
                    "connections open at once from one client address")
      ->envname("MAX_CONNECTIONS_PER_IP")->check(CLI::Range(1, 1'000'000));
  cmd.add_option("--read-timeout-seconds", c.read_timeout_seconds,
                    "a request's head (a new connection's first, from the connection's start), then its body")
      ->envname("READ_TIMEOUT_SECONDS")->check(CLI::Range(1, 3600));
  cmd.add_option("--metrics-address", c.metrics_address, "where GET /metrics listens (keep it private)")
      ->envname("METRICS_ADDRESS");
  cmd.add_option("--metrics-port", c.metrics_port,
                 "the /metrics listener's port (0 picks one; -1: none, /metrics only with METRICS_TOKEN)")
      ->envname("METRICS_PORT")->check(CLI::Range(-1, 65535));
  cmd.add_option("--web-dir", c.web_dir,
                 "serve the web app from this folder (a built web/dist, read at start) instead of the copy built in")
      ->envname("WEB_DIR");
  cmd.add_option("--access-log", c.access_log, "one log line per request (on|off)")->envname("ACCESS_LOG");
  cmd.add_option("--metrics-enabled", c.metrics_enabled, "per-request metrics (request counts, latencies)")
      ->envname("METRICS_ENABLED");
  cmd.add_option("--slow-request-ms", c.slow_request_ms,
                 "log requests at least this slow with their time per phase (0: off)")
      ->envname("SLOW_REQUEST_MS")->check(CLI::Range(0, 3'600'000));
  cmd.add_option("--cache-enabled", c.cache_enabled, "the read cache (L1 in process; L2 in Redis with REDIS_URL)")
      ->envname("CACHE_ENABLED");
  cmd.add_option("--cache-l1-bytes", c.cache_l1_bytes, "the in-process cache's byte budget")
      ->envname("CACHE_L1_BYTES")->check(CLI::Range(std::int64_t{1} << 20, std::int64_t{1} << 40));
  cmd.add_option("--cache-users-ttl-seconds", c.cache_users_ttl_seconds)
      ->envname("CACHE_USERS_TTL_SECONDS")->check(CLI::Range(1, 86400));
  cmd.add_option("--cache-projects-ttl-seconds", c.cache_projects_ttl_seconds, "projects, data sources, lists")
      ->envname("CACHE_PROJECTS_TTL_SECONDS")->check(CLI::Range(1, 86400));
  cmd.add_option("--cache-stats-ttl-seconds", c.cache_stats_ttl_seconds)
      ->envname("CACHE_STATS_TTL_SECONDS")->check(CLI::Range(1, 86400));
  cmd.add_option("--redis-timeout-ms", c.redis_timeout_ms, "Redis connect and command timeout")
      ->envname("REDIS_TIMEOUT_MS")->check(CLI::Range(1, 10'000));
  cmd.add_option("--access-token-ttl-seconds", c.access_token_ttl_seconds)
      ->envname("ACCESS_TOKEN_TTL_SECONDS")->check(CLI::Range(30, 86400));
  cmd.add_option("--refresh-token-ttl-seconds", c.refresh_token_ttl_seconds)
      ->envname("REFRESH_TOKEN_TTL_SECONDS")->check(CLI::Range(60, 365 * 86400));
  cmd.add_option("--allow-registration", c.allow_registration)->envname("ALLOW_REGISTRATION");
  cmd.add_option("--shutdown-grace-seconds", c.shutdown_grace_seconds)
      ->envname("SHUTDOWN_GRACE_SECONDS")->check(CLI::Range(0, 3600));
  cmd.add_option("--ingest-workers", c.ingest_workers, "threads parsing uploaded files (0: this node parses none)")
      ->envname("INGEST_WORKERS")->check(CLI::Range(0, 64));
  cmd.add_option("--ingest-stale-after-seconds", c.ingest_stale_after_seconds,
                    "a file being parsed without a heartbeat for this long is parsed again (its worker died)")
      ->envname("INGEST_STALE_AFTER_SECONDS")->check(CLI::Range(2, 86400));
  cmd.add_option("--ingest-max-attempts", c.ingest_max_attempts, "claims of one file before it is failed")
      ->envname("INGEST_MAX_ATTEMPTS")->check(CLI::Range(1, 100));
  cmd.add_option("--job-workers", c.job_workers, "threads running reconciliation jobs (0: this node runs none)")
      ->envname("JOB_WORKERS")->check(CLI::Range(0, 64));
  cmd.add_option("--job-stale-after-seconds", c.job_stale_after_seconds,
                    "a running job without a heartbeat for this long is re-queued (its worker died)")
      ->envname("JOB_STALE_AFTER_SECONDS")->check(CLI::Range(2, 86400));
  cmd.add_option("--job-max-attempts", c.job_max_attempts, "claims of one job before it is failed")
      ->envname("JOB_MAX_ATTEMPTS")->check(CLI::Range(1, 100));
  add_account_protection_options(cmd, c);
  cmd.add_option("--enable-automated-backups", c.enable_automated_backups,
                    "take, verify and prune backups every BACKUP_INTERVAL_SECONDS (needs BACKUP_ENCRYPTION_KEY)")
      ->envname("ENABLE_AUTOMATED_BACKUPS");
  cmd.add_option("--backup-interval-seconds", c.backup_interval_seconds)
      ->envname("BACKUP_INTERVAL_SECONDS")->check(CLI::Range(1, 366 * 86400));
  oeuvre::add_backup_store_options(cmd, c);
  cmd.add_option("--backup-keep-daily", c.backup_keep_daily)->envname("BACKUP_KEEP_DAILY")->check(CLI::Range(0, 10000));
  cmd.add_option("--backup-keep-weekly", c.backup_keep_weekly)->envname("BACKUP_KEEP_WEEKLY")->check(CLI::Range(0, 10000));
  cmd.add_option("--backup-keep-monthly", c.backup_keep_monthly)->envname("BACKUP_KEEP_MONTHLY")->check(CLI::Range(0, 10000));
  cmd.add_option("--backup-keep-yearly", c.backup_keep_yearly)->envname("BACKUP_KEEP_YEARLY")->check(CLI::Range(0, 10000));
}

int main(int argc, char** argv) {
  oeuvre::app::apply_file_settings();
  auto secrets = oeuvre::app::make_secret_chain();
  if (!secrets.ok()) return fail(secrets.error());
  // Before CLI11 reads the settings: it stops at the first bad value, and the check names them all.
  if (argc > 2 && std::string_view(argv[1]) == "config" && std::string_view(argv[2]) == "check" &&
      std::string_view(argc > 3 ? argv[3] : "") != "--help") {
    oeuvre::obs::init_logging("error");  // the problems are its output, not the clients' warnings
    return oeuvre::app::run_config_check(std::vector<std::string>(argv + 3, argv + argc), add_serve_options,
                                         **secrets);
  }
  CLI::App cli{"Œuvre: reconcile records from two or more systems"};
  cli.require_subcommand(1);
  Config config;
  // Only for the commands that use a database: a remote secret is not fetched for `reconcile`.
  const bool needs_database = argc > 1 && std::string_view(argv[1]) != "reconcile";
  if (needs_database) {
    auto url = (*secrets)->get("DATABASE_URL");
    if (!url.ok()) return fail(url.error());
    if (*url) config.database_url = **url;
  }

  auto* serve = cli.add_subcommand("serve", "run the HTTP API");
  add_serve_options(*serve, config);
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

  CLI::App* config_command = cli.add_subcommand("config", "the effective configuration")->require_subcommand(1);
  CLI::App* config_show = config_command->add_subcommand(
      "show", "print every setting with its value and source; secrets as *** with their source");
  config_show->option_defaults()->always_capture_default();
  add_serve_options(*config_show, config);
  CLI::App* config_check = config_command->add_subcommand(
      "check", "check the configuration as serve reads it (values, keys, the database, Redis, the backup target); "
               "exits 2 with one line per problem");
  add_serve_options(*config_check, config);

  CLI11_PARSE(cli, argc, argv);
  oeuvre::obs::init_logging(config.log_level);

  if (*config_show) {
    oeuvre::app::show_config(*config_show, config, **secrets);
    return 0;
  }
  if (*migrate) {
    auto db = oeuvre::app::open_migrated_database(config, *secrets);
    if (!db.ok()) return fail(db.error());
    std::cout << "migrations up to date\n";
    return 0;
  }
  if (*user_create) {
    std::string password;
    if (!password_file.empty()) {
      auto value = oeuvre::read_setting_file(password_file);
      if (!value) return fail(oeuvre::Error::Validation("--password-file", "cannot be read"));
      password = *value;
    } else {
      if (::isatty(STDIN_FILENO)) std::cerr << "password: ";
      std::getline(std::cin, password);
    }
    auto db = oeuvre::app::open_migrated_database(config, *secrets);
    if (!db.ok()) return fail(db.error());
    auto settings = oeuvre::app::auth_settings_from(config, **secrets);
    if (!settings.ok()) return fail(settings.error());
    oeuvre::obs::Metrics metrics;
    oeuvre::services::CachedReads uncached(**db, nullptr);  // a new user: nothing cached to drop
    oeuvre::services::AuthService auth(**db, std::move(settings).value(), metrics, uncached);
    oeuvre::services::RequestMeta meta{"cli", "local", "oeuvre user create"};
    auto created = auth.create_user({email, password, display_name, admin ? oeuvre::Role::kAdmin : oeuvre::Role::kUser}, std::nullopt, meta);
    if (!created.ok()) return fail(created.error());
    std::cout << "created " << oeuvre::to_string(created->role) << " " << created->email << " (" << created->id.to_string() << ")\n";
    return 0;
  }
  if (*serve) {
    // The checks `config check` makes of the values themselves (what must answer is found out by
    // starting: a dependency that is down later degrades the service, it does not stop it).
    const auto problems = oeuvre::app::check_settings(config, **secrets);
    oeuvre::app::print_config_problems(problems);
    if (!problems.empty()) return 2;
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
