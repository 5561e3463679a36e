#pragma once
// `oeuvre backup create | list | verify ID | restore ID --to DATABASE_URL [--force] | prune [--dry-run]`:
// backups of the database at DATABASE_URL and the uploaded files under VAR_DIR, kept in BACKUP_DIR or
// BACKUP_S3_BUCKET (docs/backups.md). Each prints what it did; failures print one clear line to stderr and exit with 2
// (bad input, unknown backup, damaged archive, non-empty target), 69 (a store or folder
// unavailable) or 1 (a verification that failed, a restore whose row counts differ from the manifest).
// Thread-safety: registration happens once at start-up, on the main thread.

#include <CLI/CLI.hpp>
#include <functional>

#include "core/config.h"

namespace oeuvre {

// Adds `backup` and its subcommands to `root`; `add_store_options` adds DATABASE_URL, VAR_DIR and the
// other store settings to a subcommand. REQUIRES: `config` outlives parsing.
// Adds BACKUP_DIR, BACKUP_S3_BUCKET, BACKUP_S3_PREFIX, AWS_REGION and AWS_ENDPOINT_URL to `cmd`.
void add_backup_store_options(CLI::App& cmd, Config& config);

void add_backup_command(CLI::App& root, Config& config,
                        const std::function<void(CLI::App&, Config&)>& add_store_options);

}  // namespace oeuvre
