// A stand-alone `oeuvre-reconcile` for benchmarks: the same command as `oeuvre reconcile`, without
// the server parts, so the engine can be measured on its own.
#include <CLI/CLI.hpp>

#include "app/reconcile_command.h"

int main(int argc, char** argv) {
  CLI::App app{"oeuvre reconcile (stand-alone build for benchmarks)"};
  oeuvre::add_reconcile_command(app);
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
