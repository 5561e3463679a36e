#pragma once
// Runtime configuration: environment variables (each overridable by a CLI flag). For a variable X,
// X_FILE names a file holding X's value (the Docker/Kubernetes secrets convention).

#include <cstdint>
#include <optional>
#include <string>

namespace oeuvre {

struct Config {
  std::string database_url = "sqlite://./var/oeuvre.db";  // DATABASE_URL
  std::string host = "127.0.0.1";                         // HOST
  std::uint16_t port = 8080;                              // PORT
  int io_threads = 1;                                     // IO_THREADS
  int worker_threads = 0;                                 // WORKER_THREADS (0: by backend and cores)
  int db_pool_size = 8;                                   // DB_POOL_SIZE
  int db_wait_timeout_ms = 2000;                          // DB_WAIT_TIMEOUT_MS
  std::size_t max_body_bytes = 1 << 20;                   // MAX_BODY_BYTES (JSON bodies)
  std::uint64_t max_upload_bytes = std::uint64_t{1} << 30;  // MAX_UPLOAD_BYTES (uploaded files)
  int max_connections = 1000;                             // MAX_CONNECTIONS: open at once, in all
  int max_connections_per_ip = 100;                       // MAX_CONNECTIONS_PER_IP: from one client address
  int read_timeout_seconds = 30;                          // READ_TIMEOUT_SECONDS: a request's head and body
  // GET /metrics on a listener of its own (METRICS_TOKEN, a secret, is read through security's
  // SecretSource: when set, /metrics asks for it here and answers it on the API port too).
  std::string metrics_address = "127.0.0.1";              // METRICS_ADDRESS
  int metrics_port = 9464;                                // METRICS_PORT (0: a free port; -1: no listener)
  std::string log_level = "info";                         // LOG_LEVEL
  bool access_log = true;                                 // ACCESS_LOG: one "request" line per request
  bool metrics_enabled = true;                            // METRICS_ENABLED: per-request metrics
  int slow_request_ms = 1000;                             // SLOW_REQUEST_MS: log slower requests' phases (0: off)
  // The two-level cache (docs/cache.md). REDIS_URL (L2; unset: L1 only) may hold a password, so it
  // is read through security's SecretSource.
  bool cache_enabled = true;                              // CACHE_ENABLED
  std::int64_t cache_l1_bytes = std::int64_t{64} << 20;   // CACHE_L1_BYTES
  int cache_users_ttl_seconds = 300;                      // CACHE_USERS_TTL_SECONDS
  int cache_projects_ttl_seconds = 600;                   // CACHE_PROJECTS_TTL_SECONDS (data sources, lists)
  int cache_stats_ttl_seconds = 1800;                     // CACHE_STATS_TTL_SECONDS
  int redis_timeout_ms = 100;                             // REDIS_TIMEOUT_MS: connect and each command
  std::string var_dir = "./var";                          // VAR_DIR: generated secrets, local files
  // The web app from this folder (a built web/dist, read into memory at start) instead of the copy
  // compiled into the binary; empty: the compiled-in copy.
  std::string web_dir;                                    // WEB_DIR
  int access_token_ttl_seconds = 900;                     // ACCESS_TOKEN_TTL_SECONDS
  int refresh_token_ttl_seconds = 30 * 24 * 3600;         // REFRESH_TOKEN_TTL_SECONDS
  std::string password_hash_cost = "interactive";         // PASSWORD_HASH_COST: interactive|moderate|minimal
  bool allow_registration = true;                         // ALLOW_REGISTRATION
  int registrations_per_address_per_hour = 20;            // REGISTRATIONS_PER_ADDRESS_PER_HOUR
  int password_hash_concurrency = 0;                      // PASSWORD_HASH_CONCURRENCY (0: the cores)
  // Failed logins: one address guessing one account is throttled first; one account guessed from many
  // addresses, or one address guessing many accounts, later. Each lockout lasts LOGIN_LOCKOUT_SECONDS,
  // doubling with every further failure up to LOGIN_LOCKOUT_MAX_SECONDS; failures are forgotten after
  // LOGIN_FAILURE_WINDOW_SECONDS without one.
  int login_failures_per_account_address = 5;             // LOGIN_FAILURES_PER_ACCOUNT_ADDRESS
  int login_failures_per_account = 20;                    // LOGIN_FAILURES_PER_ACCOUNT
  int login_failures_per_address = 50;                    // LOGIN_FAILURES_PER_ADDRESS
  int login_lockout_seconds = 60;                         // LOGIN_LOCKOUT_SECONDS
  int login_lockout_max_seconds = 900;                    // LOGIN_LOCKOUT_MAX_SECONDS
  int login_failure_window_seconds = 3600;                // LOGIN_FAILURE_WINDOW_SECONDS
  int shutdown_grace_seconds = 30;                        // SHUTDOWN_GRACE_SECONDS
  int ingest_workers = 1;                                 // INGEST_WORKERS: threads parsing uploads (0: none)
  int ingest_stale_after_seconds = 60;                    // INGEST_STALE_AFTER_SECONDS: silent = worker died
  int ingest_max_attempts = 5;                            // INGEST_MAX_ATTEMPTS: claims before a file fails
  int job_workers = 1;                                    // JOB_WORKERS: threads running reconciliation jobs (0: none)
  int job_stale_after_seconds = 60;                       // JOB_STALE_AFTER_SECONDS: silent this long = worker died
  int job_max_attempts = 3;                               // JOB_MAX_ATTEMPTS: claims before a job is failed
  // Backups (docs/backups.md). The key, BACKUP_ENCRYPTION_KEY, is a secret: security/secrets.h.
  std::string backup_dir;                                 // BACKUP_DIR (empty: VAR_DIR/backups)
  std::string backup_s3_bucket;                           // BACKUP_S3_BUCKET: backups in S3 (BACKUP_DIR: work files)
  std::string backup_s3_prefix = "backups/";              // BACKUP_S3_PREFIX
  std::string aws_region = "us-east-1";                   // AWS_REGION
  std::string aws_endpoint_url;                           // AWS_ENDPOINT_URL: an S3-compatible store
  bool enable_automated_backups = false;                  // ENABLE_AUTOMATED_BACKUPS: back up inside `serve`
  int backup_interval_seconds = 3600;                     // BACKUP_INTERVAL_SECONDS
  int backup_keep_daily = 7;                              // BACKUP_KEEP_DAILY: retention, newest per day
  int backup_keep_weekly = 4;                             // BACKUP_KEEP_WEEKLY
  int backup_keep_monthly = 12;                           // BACKUP_KEEP_MONTHLY
  int backup_keep_yearly = 5;                             // BACKUP_KEEP_YEARLY
};

// BACKUP_DIR, or VAR_DIR/backups when it is empty.
std::string backup_dir_of(const Config& config);

// The value of environment variable `name`, else the contents of the file named by `name`_FILE (one
// trailing newline removed), else nullopt.
std::optional<std::string> read_setting(const std::string& name);

// The contents of the setting file at `path` with one trailing newline (\n or \r\n) removed; nullopt
// when it cannot be read. The one reader of X_FILE files (read_setting, the secrets chain).
std::optional<std::string> read_setting_file(const std::string& path);

}  // namespace oeuvre
