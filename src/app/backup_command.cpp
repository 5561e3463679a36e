#include "app/backup_command.h"

#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "app/secrets_setup.h"
#include "backup/backup_creator.h"
#include "backup/backup_restorer.h"
#include "backup/backup_verifier.h"
#include "backup/prune.h"
#include "backup/backup_store.h"
#include "observability/log.h"
#include "store/database_url.h"

namespace oeuvre {

namespace {

struct BackupArguments {
  std::string id;
  std::string to;
  bool force = false;
  bool dry_run = false;
};

// One line per problem: the field and what is wrong with it, else the message.
[[noreturn]] void fail(const std::string& command, const Error& error) {
  const std::string prefix = "oeuvre backup " + command + ": ";
  if (error.field_errors().empty()) std::cerr << prefix << error.message() << "\n";
  for (const FieldError& fe : error.field_errors()) std::cerr << prefix << fe.field << ": " << fe.message << "\n";
  const ErrorCode code = error.code();
  throw CLI::RuntimeError(code == ErrorCode::kUnavailable ? 69 : code == ErrorCode::kInternal ? 1 : 2);
}

template <class T>
T or_fail(const std::string& command, Result<T> result) {
  if (!result.ok()) fail(command, result.error());
  return std::move(result).value();
}

// Every subcommand starts here: logging as configured, then the backup store.
std::unique_ptr<backup::BackupStore> open_store(const std::string& command, const Config& config) {
  obs::init_logging(config.log_level);
  auto secrets = or_fail(command, app::make_secret_chain());
  return or_fail(command, backup::open_backup_store(backup::backup_store_settings_of(config), *secrets));
}

backup::BackupKey key_for(const std::string& command) {
  auto secrets = or_fail(command, app::make_secret_chain());
  return or_fail(command, backup::require_backup_key(*secrets));
}

std::string megabytes(std::uint64_t bytes) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << static_cast<double>(bytes) / (1024.0 * 1024.0) << " MiB";
  return out.str();
}

std::int64_t total_rows(const backup::Manifest& manifest) {
  std::int64_t rows = 0;
  for (const auto& count : manifest.row_counts) rows += count.rows;
  return rows;
}

void run_create(const Config& config) {
  auto store = open_store("create", config);
  const auto key = key_for("create");
  const backup::BackupSource source{config.database_url, backup::blobs_dir_of(config.var_dir)};
  const backup::Manifest m = or_fail("create", backup::create_backup(source, key, *store));
  std::cout << "created backup " << m.id << " of " << store::redact_database_url(config.database_url) << ": "
            << m.row_counts.size() << " tables, " << total_rows(m) << " rows, " << m.file_count << " files"
            << (m.files_missing > 0 ? " (" + std::to_string(m.files_missing) + " deleted while copying)" : "")
            << "; archive " << megabytes(m.archive_bytes) << " in " << std::fixed << std::setprecision(1)
            << m.duration_seconds << " s\n  " << store->location(m.id) << "\n";
}

std::string verification_text(const backup::Manifest& m) {
  if (!m.verification) return "not verified";
  return std::string(m.verification->ok ? "verified " : "FAILED verification ") +
         format_timestamp(m.verification->verified_at).substr(0, 19) + "Z";
}

void run_list(const Config& config) {
  auto store = open_store("list", config);
  const auto listed = or_fail("list", store->list());
  if (listed.empty()) std::cout << "no backups in " << store->describe() << "\n";
  for (const backup::ListedBackup& b : listed) {
    if (!b.manifest) {
      std::cout << b.id << "  unreadable: " << b.problem << "\n";
      continue;
    }
    const backup::Manifest& m = *b.manifest;
    std::cout << m.id << "  " << to_string(m.source_kind) << "  " << megabytes(m.archive_bytes) << "  "
              << total_rows(m) << " rows  " << m.file_count << " files  " << verification_text(m) << "\n";
  }
}

void run_verify(const Config& config, const BackupArguments& args) {
  auto store = open_store("verify", config);
  const auto key = key_for("verify");
  const auto v = or_fail("verify", backup::verify_backup(*store, args.id, key, {config.database_url}));
  if (!v.ok) {
    std::cerr << "oeuvre backup verify: " << args.id << " FAILED verification: " << v.detail << "\n";
    throw CLI::RuntimeError(1);
  }
  std::cout << "verified " << args.id << ": " << v.detail << " (recorded in its manifest)\n";
}

void run_restore(const Config& config, const BackupArguments& args) {
  auto store = open_store("restore", config);
  const auto key = key_for("restore");
  const backup::RestoreRequest request{args.to, backup::blobs_dir_of(config.var_dir), args.force};
  const auto report = or_fail("restore", backup::restore_backup(*store, args.id, key, request));
  std::cout << "restored " << args.id << " into " << store::redact_database_url(args.to) << ": " << report.tables
            << " tables, " << report.rows << " rows (row counts match the manifest), " << report.files
            << " files into " << request.blobs_dir << "\n";
}

void run_prune(const Config& config, const BackupArguments& args) {
  auto store = open_store("prune", config);
  const backup::RetentionPolicy policy{config.backup_keep_daily, config.backup_keep_weekly,
                                       config.backup_keep_monthly, config.backup_keep_yearly};
  const auto decisions = or_fail("prune", backup::prune_backups(*store, policy, args.dry_run));
  std::size_t removed = 0;
  for (const backup::RetentionDecision& d : decisions) {
    const char* verb = d.keep ? "keep  " : (args.dry_run ? "would remove" : "removed");
    std::cout << verb << " " << d.id << " (" << d.reason << ")\n";
    if (!d.keep) ++removed;
  }
  std::cout << (args.dry_run ? "dry run: would remove " : "removed ") << removed << " of " << decisions.size()
            << " backups\n";
}

}  // namespace

void add_backup_store_options(CLI::App& cmd, Config& config) {
  cmd.add_option("--backup-dir", config.backup_dir,
                 "where backups are kept (default VAR_DIR/backups); with S3, the local work directory")
      ->envname("BACKUP_DIR");
  cmd.add_option("--backup-s3-bucket", config.backup_s3_bucket, "keep backups in this S3 bucket")
      ->envname("BACKUP_S3_BUCKET");
  cmd.add_option("--backup-s3-prefix", config.backup_s3_prefix, "the key prefix of backups in the bucket")
      ->envname("BACKUP_S3_PREFIX");
  cmd.add_option("--aws-region", config.aws_region, "the bucket's region")->envname("AWS_REGION");
  cmd.add_option("--aws-endpoint-url", config.aws_endpoint_url, "an S3-compatible store (path-style addressing)")
      ->envname("AWS_ENDPOINT_URL");
}

void add_backup_command(CLI::App& root, Config& config,
                        const std::function<void(CLI::App&, Config&)>& add_store_options) {
  auto args = std::make_shared<BackupArguments>();
  CLI::App* backup = root.add_subcommand("backup", "encrypted, verified backups (docs/backups.md)")->require_subcommand(1);
  auto add = [&](const char* name, const char* help) {
    CLI::App* cmd = backup->add_subcommand(name, help);
    add_store_options(*cmd, config);
    add_backup_store_options(*cmd, config);
    return cmd;
  };
  CLI::App* create = add("create", "back up the database and the uploaded files now");
  create->callback([&config] { run_create(config); });
  CLI::App* list = add("list", "list the backups in BACKUP_DIR or BACKUP_S3_BUCKET");
  list->callback([&config] { run_list(config); });
  CLI::App* verify = add("verify", "prove a backup: check it and restore it into a scratch database");
  verify->add_option("id", args->id, "the backup's id (see `oeuvre backup list`)")->required();
  verify->callback([&config, args] { run_verify(config, *args); });
  CLI::App* restore = add("restore", "restore a backup into a database and VAR_DIR's uploads");
  restore->add_option("id", args->id, "the backup's id (see `oeuvre backup list`)")->required();
  restore->add_option("--to", args->to, "the target DATABASE_URL")->required();
  restore->add_flag("--force", args->force, "replace the target's tables when it is not empty");
  restore->callback([&config, args] { run_restore(config, *args); });
  CLI::App* prune = add("prune", "remove backups outside the retention policy");
  prune->add_flag("--dry-run", args->dry_run, "only say what would be removed");
  prune->add_option("--keep-daily", config.backup_keep_daily)->envname("BACKUP_KEEP_DAILY")->check(CLI::Range(0, 10000));
  prune->add_option("--keep-weekly", config.backup_keep_weekly)->envname("BACKUP_KEEP_WEEKLY")->check(CLI::Range(0, 10000));
  prune->add_option("--keep-monthly", config.backup_keep_monthly)->envname("BACKUP_KEEP_MONTHLY")->check(CLI::Range(0, 10000));
  prune->add_option("--keep-yearly", config.backup_keep_yearly)->envname("BACKUP_KEEP_YEARLY")->check(CLI::Range(0, 10000));
  prune->callback([&config, args] { run_prune(config, *args); });
}

}  // namespace oeuvre
