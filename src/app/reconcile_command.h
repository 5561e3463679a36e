#pragma once
// `oeuvre reconcile LEFT RIGHT [--rules rules.json] [--out DIR] [--format csv|json]`: reconciles
// two CSV files offline (no server, no database) and writes matches, unmatched records of each side
// and a summary into DIR. Thread-safety: registration happens once at start-up, on the main thread.

#include <CLI/CLI.hpp>

namespace oeuvre {

// Adds the `reconcile` subcommand to `root`. On failure the command prints a clear message to
// stderr and throws CLI::RuntimeError with exit code 2 (bad input) or 1 (cannot write the output).
void add_reconcile_command(CLI::App& root);

}  // namespace oeuvre
