#pragma once
// `oeuvre config show` and `oeuvre config check`, and the checks `serve` makes before it starts.
//
// Settings come from the environment (X, or the file named by X_FILE) or the command line; secrets
// through the secret chain (security/secrets.h). `config check` reads them exactly as `serve` does,
// prints the effective configuration (secrets redacted, each value with its source), then checks it:
//   - every value as `serve` parses it (a bad one does not hide the ones after it);
//   - what `serve` would refuse at start: the database URL, listen addresses and ports, the log
//     level, limits that contradict each other, the JWT keys, REDIS_URL, the backup key and the
//     backup store's settings;
//   - what must answer: the database (without migrating it), Redis (with REDIS_URL), the backup
//     target (a probe written and removed) and VAR_DIR (writable).
// It exits 0 when all is well, else 2 with one line per problem on stderr.

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "core/config.h"
#include "security/secrets.h"

namespace oeuvre::app {

// One thing wrong with the configuration, printed as "SETTING: message".
struct ConfigProblem {
  std::string setting;
  std::string message;
};

// X_FILE -> X for the non-secret settings, so CLI11's environment lookup sees them; remembers which
// came from a file (for config show). Call once, first thing in main().
void apply_file_settings();

// Prints every setting of `options` (the command's parsed options) with its value and source, then
// the secrets, each as *** with its source (DATABASE_URL with its password as ***).
void show_config(const CLI::App& options, const Config& config, const security::SecretChain& secrets);

// Each problem as one line on stderr: "oeuvre: config: SETTING: message".
void print_config_problems(const std::vector<ConfigProblem>& problems);

// The checks that need nothing outside this process (`serve` runs them before it starts).
std::vector<ConfigProblem> check_settings(const Config& config, security::SecretChain& secrets);

// The checks of what must answer: the database, Redis, the backup target, VAR_DIR. Writes (and
// removes) a probe in VAR_DIR and the backup target; creates VAR_DIR when missing, as serve would.
std::vector<ConfigProblem> check_services(const Config& config, security::SecretChain& secrets);

// `oeuvre config check ARGS...`: `add_options` adds serve's options to an app. Returns the exit code.
int run_config_check(const std::vector<std::string>& args,
                     const std::function<void(CLI::App&, Config&)>& add_options,
                     security::SecretChain& secrets);

}  // namespace oeuvre::app
