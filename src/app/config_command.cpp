#include "app/config_command.h"

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string_view>

#include "backup/backup_key.h"
#include "backup/backup_store.h"
#include "cache/redis_client.h"
#include "core/error.h"
#include "core/result.h"
#include "core/private_files.h"
#include "security/jwt.h"
#include "security/secret.h"
#include "store/database.h"
#include "store/database_url.h"
#include "web/web_files.h"

namespace oeuvre::app {

namespace {

// Every secret Œuvre reads through the secret chain (security/secrets.h).
constexpr const char* kSecrets[] = {"DATABASE_URL",     "JWT_SECRET",          "JWT_SECRET_PREVIOUS",
                                    "BACKUP_ENCRYPTION_KEY", "REDIS_URL",      "METRICS_TOKEN",
                                    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"};

// Settings whose value came from X_FILE: name -> the file.
std::map<std::string, std::string>& settings_from_files() {
  static std::map<std::string, std::string> files;
  return files;
}

}  // namespace

void apply_file_settings() {
  for (const char* name : {"HOST", "PORT", "IO_THREADS", "WORKER_THREADS", "DB_POOL_SIZE",
                            "DB_WAIT_TIMEOUT_MS", "MAX_BODY_BYTES", "MAX_UPLOAD_BYTES", "MAX_CONNECTIONS",
                            "MAX_CONNECTIONS_PER_IP", "READ_TIMEOUT_SECONDS", "METRICS_ADDRESS", "METRICS_PORT", "LOG_LEVEL", "VAR_DIR", "WEB_DIR",
                            "ACCESS_LOG", "METRICS_ENABLED", "SLOW_REQUEST_MS", "CACHE_ENABLED", "CACHE_L1_BYTES",
                            "CACHE_USERS_TTL_SECONDS", "CACHE_PROJECTS_TTL_SECONDS", "CACHE_STATS_TTL_SECONDS",
                            "REDIS_TIMEOUT_MS",
                            "ACCESS_TOKEN_TTL_SECONDS", "REFRESH_TOKEN_TTL_SECONDS", "PASSWORD_HASH_COST",
                            "ALLOW_REGISTRATION", "SHUTDOWN_GRACE_SECONDS", "INGEST_WORKERS",
                            "INGEST_STALE_AFTER_SECONDS", "INGEST_MAX_ATTEMPTS", "JOB_WORKERS",
                            "JOB_STALE_AFTER_SECONDS", "JOB_MAX_ATTEMPTS", "REGISTRATIONS_PER_ADDRESS_PER_HOUR",
                            "PASSWORD_HASH_CONCURRENCY", "LOGIN_FAILURES_PER_ACCOUNT_ADDRESS",
                            "LOGIN_FAILURES_PER_ACCOUNT", "LOGIN_FAILURES_PER_ADDRESS", "LOGIN_LOCKOUT_SECONDS",
                            "LOGIN_LOCKOUT_MAX_SECONDS", "LOGIN_FAILURE_WINDOW_SECONDS",
                            "BACKUP_DIR", "ENABLE_AUTOMATED_BACKUPS", "BACKUP_INTERVAL_SECONDS", "BACKUP_KEEP_DAILY",
                            "BACKUP_KEEP_WEEKLY", "BACKUP_KEEP_MONTHLY", "BACKUP_KEEP_YEARLY", "BACKUP_S3_BUCKET",
                            "BACKUP_S3_PREFIX", "AWS_REGION", "AWS_ENDPOINT_URL"}) {
    if (std::getenv(name) != nullptr) continue;
    if (auto value = read_setting(name)) {
      ::setenv(name, value->c_str(), 0);
      settings_from_files()[name] = std::getenv((std::string(name) + "_FILE").c_str());
    }
  }
}

void show_config(const CLI::App& show, const Config& config, const security::SecretChain& secrets) {
  std::cout << "# settings (value, source)\n";
  for (const CLI::Option* option : show.get_options()) {
    const std::string env = option->get_envname();
    if (env.empty()) continue;
    std::string value = option->count() > 0 ? option->results().front() : option->get_default_str();
    std::string source = "default";
    if (option->count() > 0) {
      if (auto file = settings_from_files().find(env); file != settings_from_files().end()) {
        source = "file " + file->second;
      } else {
        source = std::getenv(env.c_str()) != nullptr ? "environment" : "command line";
      }
    }
    std::cout << env << " = " << value << "  (" << source << ")\n";
  }
  std::cout << "# secrets (redacted)\n";
  const std::string url_source = secrets.source_of("DATABASE_URL");
  std::cout << "DATABASE_URL = " << store::redact_database_url(config.database_url) << "  ("
            << (url_source.empty() ? "default" : url_source) << ")\n";
  for (const char* name : kSecrets) {
    if (std::string_view(name) == "DATABASE_URL") continue;
    const std::string source = secrets.source_of(name);
    if (!source.empty()) {
      std::cout << name << " = " << security::Secret::kRedacted << "  (" << source << ")\n";
    } else if (std::string_view(name) == "JWT_SECRET") {
      std::cout << name << " = " << security::Secret::kRedacted << "  (generated, kept in " << config.var_dir
                << "/jwt_secret)\n";
    } else {
      std::cout << name << " = (not set)\n";
    }
  }
  std::cout << "# where secrets are looked up (X_FILE: a file holding X; X_NAME: its name in AWS Secrets Manager)\n";
  for (const char* name : {"AWS_SECRETS_MANAGER_REGION", "AWS_SECRETS_MANAGER_ENDPOINT", "SECRETS_CACHE_TTL_SECONDS",
                           "SECRETS_TIMEOUT_MS"}) {
    const char* value = std::getenv(name);
    std::cout << name << " = " << (value != nullptr ? value : "(not set)") << "\n";
  }
  for (const char* secret : kSecrets) {
    if (std::string_view(secret).starts_with("AWS_")) continue;  // they sign the calls to Secrets Manager
    const std::string name = std::string(secret) + "_NAME";
    const char* value = std::getenv(name.c_str());
    std::cout << name << " = " << (value != nullptr ? value : "(not set)") << "\n";
  }
}

namespace {

// An error's own words for `setting`: its first field error's message (with the field's name when
// that is another setting), else its message; a leading "SETTING:" or "SETTING " is left out, so a
// line does not read "X: X ...".
std::string reason_of(const Error& error, std::string_view setting) {
  std::string reason = error.message();
  if (!error.field_errors().empty()) {
    const FieldError& field = error.field_errors().front();
    reason = field.field == setting ? field.message : field.field + " " + field.message;
  }
  for (const std::string_view separator : {": ", " "}) {
    if (reason.starts_with(std::string(setting) + std::string(separator))) {
      return reason.substr(setting.size() + separator.size());
    }
  }
  return reason;
}

// The setting an error names (its first field error), else `fallback`.
std::string setting_of(const Error& error, const std::string& fallback) {
  return error.field_errors().empty() ? fallback : error.field_errors().front().field;
}

bool is_ip_address(const std::string& text) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(text, ec);
  return !ec;
}

// A JWT key from the secret chain, when set: it must pass validate_jwt_secret (serve refuses it
// otherwise). Unset JWT_SECRET is fine: serve generates one in VAR_DIR (one node only: several
// nodes need the same key).
void check_jwt_key(security::SecretChain& secrets, const std::string& name, const Config& config,
                   std::vector<ConfigProblem>& problems) {
  auto value = secrets.get(name);
  if (!value.ok()) return problems.push_back({name, reason_of(value.error(), name)});
  std::optional<std::string> key = *value;
  if (!key && name == "JWT_SECRET") {
    const std::string generated = config.var_dir + "/jwt_secret";
    std::error_code ec;
    if (std::filesystem::exists(generated, ec)) key = read_setting_file(generated);
  }
  if (!key) return;
  if (Status valid = security::validate_jwt_secret(*key); !valid.ok()) {
    problems.push_back({name, valid.error().message()});
  }
}

}  // namespace

std::vector<ConfigProblem> check_settings(const Config& config, security::SecretChain& secrets) {
  std::vector<ConfigProblem> problems;
  auto add = [&problems](std::string setting, std::string message) {
    problems.push_back({std::move(setting), std::move(message)});
  };
  if (auto url = store::parse_database_url(config.database_url); !url.ok()) {
    add("DATABASE_URL", reason_of(url.error(), "DATABASE_URL"));
  }
  if (!is_ip_address(config.host)) {
    add("HOST", "\"" + config.host + "\" is not an IP address (the server listens on an address, e.g. 0.0.0.0)");
  }
  if (config.metrics_port >= 0 && !is_ip_address(config.metrics_address)) {
    add("METRICS_ADDRESS", "\"" + config.metrics_address + "\" is not an IP address");
  }
  // One port on two addresses is fine, unless one of them is every address.
  auto is_any = [](const std::string& address) { return address == "0.0.0.0" || address == "::"; };
  const bool addresses_overlap = config.metrics_address == config.host || is_any(config.metrics_address) ||
                                 is_any(config.host);
  if (config.metrics_port > 0 && config.metrics_port == config.port && addresses_overlap) {
    add("METRICS_PORT", "is PORT's (" + std::to_string(config.port) +
                            "): the /metrics listener needs a port of its own, or -1 for none");
  }
  if (config.log_level != "debug" && config.log_level != "info" && config.log_level != "warn" &&
      config.log_level != "error") {
    add("LOG_LEVEL", "\"" + config.log_level + "\" is not one of debug, info, warn, error");
  }
  if (config.login_lockout_max_seconds < config.login_lockout_seconds) {
    add("LOGIN_LOCKOUT_MAX_SECONDS", "(" + std::to_string(config.login_lockout_max_seconds) +
                                         ") is below LOGIN_LOCKOUT_SECONDS (" +
                                         std::to_string(config.login_lockout_seconds) + ")");
  }
  if (config.refresh_token_ttl_seconds <= config.access_token_ttl_seconds) {
    add("REFRESH_TOKEN_TTL_SECONDS", "(" + std::to_string(config.refresh_token_ttl_seconds) +
                                         ") must be longer than ACCESS_TOKEN_TTL_SECONDS (" +
                                         std::to_string(config.access_token_ttl_seconds) + ")");
  }
  if (!config.web_dir.empty()) {
    if (auto files = web::WebFiles::load_directory(config.web_dir); !files.ok()) {
      add("WEB_DIR", reason_of(files.error(), "WEB_DIR"));
    }
  }
  check_jwt_key(secrets, "JWT_SECRET", config, problems);
  check_jwt_key(secrets, "JWT_SECRET_PREVIOUS", config, problems);
  if (auto url = secrets.get("REDIS_URL"); !url.ok()) {
    add("REDIS_URL", reason_of(url.error(), "REDIS_URL"));
  } else if (*url && !(*url)->empty()) {
    if (auto endpoint = cache::parse_redis_url(**url); !endpoint.ok()) add("REDIS_URL", reason_of(endpoint.error(), "REDIS_URL"));
  }
  if (auto token = secrets.get("METRICS_TOKEN"); !token.ok()) add("METRICS_TOKEN", reason_of(token.error(), "METRICS_TOKEN"));
  auto key = backup::load_backup_key(secrets);
  if (!key.ok()) {
    add("BACKUP_ENCRYPTION_KEY", reason_of(key.error(), "BACKUP_ENCRYPTION_KEY"));
  } else if (!*key && config.enable_automated_backups) {
    add("BACKUP_ENCRYPTION_KEY", "is required by ENABLE_AUTOMATED_BACKUPS (backups are never unencrypted) and was not found; looked in " +
                                     secrets.places_for("BACKUP_ENCRYPTION_KEY"));
  }
  if (auto store = backup::open_backup_store(backup::backup_store_settings_of(config), secrets); !store.ok()) {
    const std::string setting = setting_of(store.error(), "BACKUP_S3_BUCKET");
    add(setting, reason_of(store.error(), setting));
  }
  return problems;
}

std::vector<ConfigProblem> check_services(const Config& config, security::SecretChain& secrets) {
  std::vector<ConfigProblem> problems;
  auto add = [&problems](std::string setting, std::string message) {
    problems.push_back({std::move(setting), std::move(message)});
  };
  namespace fs = std::filesystem;
  std::error_code ec;
  if (Status made = make_private_directory(config.var_dir); !made.ok()) {
    add("VAR_DIR", reason_of(made.error(), "VAR_DIR"));
  } else {
    const std::string probe = config.var_dir + "/.oeuvre-write-check";
    if (Status written = make_private_file(probe); !written.ok()) add("VAR_DIR", reason_of(written.error(), "VAR_DIR"));
    fs::remove(probe, ec);
  }

  // The database answers (a new SQLite file is not created here: serve creates it).
  if (auto url = store::parse_database_url(config.database_url); url.ok()) {
    const bool new_sqlite_file = url->kind == store::DatabaseUrl::kSqlite && url->sqlite_path != ":memory:" &&
                                 !fs::exists(url->sqlite_path, ec);
    if (!new_sqlite_file) {
      store::DatabaseOptions options;
      options.url = config.database_url;
      options.pool_size = 1;
      options.wait_timeout = std::chrono::milliseconds(5000);
      auto db = store::open_database(options);
      Status answered = db.ok() ? (*db)->ping() : Status(db.error());
      if (!answered.ok()) add("DATABASE_URL", "the database does not answer: " + reason_of(answered.error(), "DATABASE_URL"));
      if (db.ok()) (*db)->close();
    }
  }

  // Redis answers (only when the cache would use it).
  if (auto url = secrets.get("REDIS_URL"); config.cache_enabled && url.ok() && *url && !(*url)->empty()) {
    if (auto endpoint = cache::parse_redis_url(**url); endpoint.ok()) {
      cache::RedisOptions options;
      options.endpoint = *endpoint;
      // Longer than a request's budget: the question here is whether Redis answers at all.
      options.connect_timeout = std::max(std::chrono::milliseconds(config.redis_timeout_ms), std::chrono::milliseconds(2000));
      options.command_timeout = options.connect_timeout;
      options.max_connections = 1;
      cache::RedisClient redis(options);
      // A read of a key nobody writes: it answers (nothing) once connected and logged in.
      if (auto reply = redis.get("oeuvre:config-check"); !reply.ok()) {
        add("REDIS_URL", "Redis does not answer: " + reason_of(reply.error(), "REDIS_URL"));
      }
    }
  }

  // The backup target takes a write, when backups are configured (as serve decides: S3, automated
  // backups, or an existing BACKUP_DIR).
  const backup::BackupStoreSettings settings = backup::backup_store_settings_of(config);
  if (!settings.s3_bucket.empty() || config.enable_automated_backups || fs::is_directory(settings.dir, ec)) {
    if (auto store = backup::open_backup_store(settings, secrets); store.ok()) {
      if (Status written = (*store)->check_writable(); !written.ok()) {
        const std::string setting = settings.s3_bucket.empty() ? "BACKUP_DIR" : "BACKUP_S3_BUCKET";
        add(setting, (*store)->describe() + " cannot be written: " + reason_of(written.error(), setting));
      }
    }
  }
  return problems;
}

namespace {

// The option of `app` a CLI11 error message names ("--port: ..." or "Could not convert: --port = x"):
// the one whose long name appears in it, the longest when several do.
const CLI::Option* option_named_in(const CLI::App& app, std::string_view message) {
  const CLI::Option* found = nullptr;
  std::size_t found_length = 0;
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_lnames()) {
      const std::string flag = "--" + name;
      const std::size_t at = message.find(flag);
      if (at == std::string_view::npos || flag.size() <= found_length) continue;
      const std::size_t end = at + flag.size();
      if (end < message.size() && (std::isalnum(static_cast<unsigned char>(message[end])) || message[end] == '-')) continue;
      found = option;
      found_length = flag.size();
    }
  }
  return found;
}

}  // namespace

void print_config_problems(const std::vector<ConfigProblem>& problems) {
  for (const ConfigProblem& p : problems) std::cerr << "oeuvre: config: " << p.setting << ": " << p.message << "\n";
}

int run_config_check(const std::vector<std::string>& args,
                     const std::function<void(CLI::App&, Config&)>& add_options,
                     security::SecretChain& secrets) {
  std::vector<ConfigProblem> problems;
  auto database_url = secrets.get("DATABASE_URL");
  if (!database_url.ok()) problems.push_back({"DATABASE_URL", reason_of(database_url.error(), "DATABASE_URL")});
  // CLI11 stops at the first value it refuses: each refused environment value is noted and set
  // aside, and the settings read again, so one bad value does not hide the next.
  Config config;
  std::unique_ptr<CLI::App> app;
  for (int attempt = 0;; ++attempt) {
    config = Config{};
    if (database_url.ok() && *database_url) config.database_url = **database_url;
    app = std::make_unique<CLI::App>("oeuvre config check");
    app->option_defaults()->always_capture_default();
    add_options(*app, config);
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
      app->parse(reversed);
      break;
    } catch (const CLI::ParseError& e) {
      const CLI::Option* option = option_named_in(*app, e.what());
      const std::string env = option != nullptr ? option->get_envname() : std::string();
      const char* value = env.empty() ? nullptr : std::getenv(env.c_str());
      if (value == nullptr || attempt > 200) {  // a command-line mistake: nothing to set aside
        std::cerr << "oeuvre: config: " << e.what() << "\n";
        return 2;
      }
      problems.push_back({env, "\"" + std::string(value) + "\" is refused (" + e.what() + ")"});
      ::unsetenv(env.c_str());
    }
  }
  show_config(*app, config, secrets);
  for (ConfigProblem& p : check_settings(config, secrets)) problems.push_back(std::move(p));
  for (ConfigProblem& p : check_services(config, secrets)) problems.push_back(std::move(p));
  print_config_problems(problems);
  if (problems.empty()) {
    std::cout << "# configuration ok\n";
    return 0;
  }
  std::cout << "# " << problems.size() << (problems.size() == 1 ? " problem" : " problems") << " (on stderr)\n";
  return 2;
}

}  // namespace oeuvre::app
