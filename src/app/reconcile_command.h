#pragma once
// `oeuvre reconcile LEFT RIGHT [--rules rules.json] [--mapping m.json] [--out DIR] [--format csv|json]`:
// reconciles two record files offline (no server, no database) and writes matches, unmatched records
// of each side, rows that could not be read, and a summary into DIR. Files are read exactly as an
// upload to a data source is: CSV, a JSON array or JSON Lines, with the same column mapping the API
// takes (`--mapping`, or per side `--left-mapping`/`--right-mapping`, and flags for the common keys).
// Thread-safety: registration happens once at start-up, on the main thread.

#include <CLI/CLI.hpp>

namespace oeuvre {

// Adds the `reconcile` subcommand to `root`. On failure the command prints a clear message to
// stderr and throws CLI::RuntimeError with exit code 2 (bad input) or 1 (cannot write the output).
void add_reconcile_command(CLI::App& root);

}  // namespace oeuvre
