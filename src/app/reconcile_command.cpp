#include "app/reconcile_command.h"

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "app/reconcile_report.h"
#include "app/terminal_progress.h"
#include "engine/match_model.h"
#include "engine/reconciler.h"
#include "engine/rules.h"
#include "ingest/column_mapping.h"
#include "ingest/record_file.h"

namespace oeuvre {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxSettingsFileBytes = 1 << 20;

struct ReconcileSettings {
  std::string left_path, right_path, rules_path, out_dir = "reconciliation", format = "csv";
  // Column mapping: a file for both sides, one per side, and flags that override their keys.
  std::string mapping_path, left_mapping_path, right_mapping_path;
  // A match model file to score with (as model.json is written), or learn one from the files.
  std::string model_path;
  bool learn = false;
  std::string currency, date_format, decimal_separator;
  int scale = 2;
  int threads = 0;
  bool quiet = false;
  bool timings = false;
};

[[noreturn]] void fail(const std::string& context, const Error& error, int exit_code = 2) {
  // Validation errors carry their detail in the field errors, one per line below.
  std::cerr << "oeuvre reconcile: " << context;
  if (error.code() == ErrorCode::kValidation) {
    std::cerr << (context.empty() ? "invalid input:" : " is invalid:") << "\n";
  } else {
    std::cerr << (context.empty() ? "" : ": ") << error.message() << "\n";
  }
  for (const FieldError& fe : error.field_errors()) {
    std::cerr << "  " << fe.field << ": " << fe.message << "\n";
  }
  throw CLI::RuntimeError(exit_code);
}

// The text of a small settings file (rules, mapping), at most 1 MiB.
Result<std::string> read_settings_file(const std::string& path, std::string_view field) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::NotFound("cannot open " + std::string(field) + " file '" + path + "'");
  std::string text;
  text.resize(kMaxSettingsFileBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxSettingsFileBytes)
    return Error::Validation(std::string(field), "the file is larger than 1 MiB");
  return text;
}

Result<engine::RuleSet> read_rules(const std::string& path) {
  if (path.empty()) return engine::default_rules();
  ASSIGN_OR_RETURN(std::string text, read_settings_file(path, "rules"));
  return engine::parse_rules(text);
}

// The rules with --learn or --model applied: a model file holds the object a run writes to
// model.json (the rules' "model" value).
Status apply_model_flags(const ReconcileSettings& settings, engine::RuleSet& rules) {
  if (settings.learn && !settings.model_path.empty())
    return Error::Validation("model", "give --learn or --model, not both");
  if (settings.learn) rules.weights = engine::WeightMode::kLearn;
  if (settings.model_path.empty()) return OkStatus();
  ASSIGN_OR_RETURN(std::string text, read_settings_file(settings.model_path, "model"));
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 16;
  const boost::json::value value = boost::json::parse(text, ec, {}, options);
  if (ec) return Error::Validation("model", "is not valid JSON: " + ec.message());
  ASSIGN_OR_RETURN(engine::MatchModel model, engine::model_from_json(value, "model"));
  RETURN_IF_ERROR(engine::check_model_fits(model, rules));
  rules.weights = engine::WeightMode::kModel;
  rules.model = std::make_shared<const engine::MatchModel>(std::move(model));
  return OkStatus();
}

// One side's column mapping: its file (or the shared one), with the flags' keys set on top, checked
// by the same parser as the API's data sources.
Result<ingest::ColumnMapping> read_mapping(const ReconcileSettings& settings,
                                           const std::string& side_path) {
  const std::string& path = side_path.empty() ? settings.mapping_path : side_path;
  boost::json::value value = boost::json::object();
  if (!path.empty()) {
    ASSIGN_OR_RETURN(std::string text, read_settings_file(path, "mapping"));
    boost::system::error_code ec;
    value = boost::json::parse(text, ec);
    if (ec) return Error::Validation("column_mapping", "is not valid JSON: " + ec.message());
    if (!value.is_object()) return Error::Validation("column_mapping", "must be an object");
  }
  boost::json::object& object = value.as_object();
  if (!settings.currency.empty()) object["default_currency"] = settings.currency;
  if (!settings.date_format.empty()) object["date_format"] = settings.date_format;
  if (!settings.decimal_separator.empty()) object["decimal_separator"] = settings.decimal_separator;
  return ingest::parse_column_mapping(value);
}

void run(const ReconcileSettings& settings) {
  const auto started = std::chrono::steady_clock::now();
  ProgressBar progress(!settings.quiet && !settings.timings);
  StageClock clock(settings.timings);
  auto rules = read_rules(settings.rules_path);
  if (!rules.ok()) fail(settings.rules_path, rules.error());
  if (Status model = apply_model_flags(settings, *rules); !model.ok())
    fail(settings.model_path.empty() ? "--learn" : settings.model_path, model.error());
  auto left_mapping = read_mapping(settings, settings.left_mapping_path);
  if (!left_mapping.ok()) fail("the left file's mapping", left_mapping.error());
  auto right_mapping = read_mapping(settings, settings.right_mapping_path);
  if (!right_mapping.ok()) fail("the right file's mapping", right_mapping.error());

  ingest::ParseSettings left_settings, right_settings;
  left_settings.mapping = *std::move(left_mapping);
  right_settings.mapping = *std::move(right_mapping);
  left_settings.unknown_currency_scale = right_settings.unknown_currency_scale = settings.scale;

  std::atomic<double> left_fraction{0}, right_fraction{0};
  auto report_loading = [&] { progress.update("reading", 0.2 * (left_fraction + right_fraction)); };
  // Both files are read at the same time.
  std::optional<Result<ingest::RecordFile>> right_loaded;
  std::thread right_reader([&] {
    right_loaded.emplace(
        ingest::read_record_file(settings.right_path, right_settings, *rules, false, [&](double f) {
          right_fraction = f;
          report_loading();
        }));
  });
  Result<ingest::RecordFile> left_loaded =
      ingest::read_record_file(settings.left_path, left_settings, *rules, true, [&](double f) {
        left_fraction = f;
        report_loading();
      });
  right_reader.join();
  if (!left_loaded.ok()) fail(settings.left_path, left_loaded.error());
  if (!right_loaded->ok()) fail(settings.right_path, right_loaded->error());
  const ingest::RecordFile& left = left_loaded.value();
  const ingest::RecordFile& right = right_loaded->value();
  if (left.table.amount_scale != right.table.amount_scale) {
    fail("", Error::Validation("currency", "the left file's amounts have " +
                                               std::to_string(left.table.amount_scale) +
                                               " decimals and the right file's " +
                                               std::to_string(right.table.amount_scale) +
                                               ": reconcile records of one currency scale"));
  }
  for (const auto* side : {&left, &right}) {
    if (side->layout.rows_failed > 0 && !settings.quiet) {
      std::cerr << "oeuvre reconcile: " << side->layout.rows_failed << " of " << side->layout.rows
                << " rows of '" << (side == &left ? settings.left_path : settings.right_path)
                << "' could not be read and are left out (rejected_"
                << (side == &left ? "left" : "right") << ".csv says why)\n";
    }
  }

  engine::ReconcileOptions engine_options;
  engine_options.threads =
      settings.threads > 0 ? settings.threads
                           : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  clock.mark("read both files");
  std::string last_stage = "preparing";
  engine_options.progress = [&](std::string_view stage, double fraction) {
    if (stage != last_stage) {
      clock.mark(last_stage);
      last_stage = std::string(stage);
    }
    progress.update(stage, 0.4 + 0.5 * fraction);
  };
  auto result = engine::reconcile(left.table, right.table, *rules, engine_options);
  if (!result.ok())
    fail(settings.rules_path.empty() ? "default rules" : settings.rules_path, result.error());

  clock.mark("engine total (above)");
  const fs::path dir(settings.out_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    fail("",
         Error::Internal("cannot create the output folder '" + dir.string() + "': " + ec.message()),
         1);
  progress.update("writing", 0.9);
  const ReportFormat format = settings.format == "json" ? ReportFormat::kJson : ReportFormat::kCsv;
  Status written = write_report(dir, format, *result, left, right,
                                [&](double f) { progress.update("writing", 0.90 + 0.08 * f); });
  if (!written.ok()) fail("", written.error(), 1);
  clock.mark("write outputs");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (Status summary = write_summary(dir, *result, left, right, seconds); !summary.ok())
    fail("", summary.error(), 1);
  if (Status model = write_model(dir, *result); !model.ok()) fail("", model.error(), 1);
  progress.finish();
  if (!settings.quiet) std::cout << summary_text(*result, left, right, dir, seconds);
}

}  // namespace

void add_reconcile_command(CLI::App& root) {
  auto settings = std::make_shared<ReconcileSettings>();
  CLI::App* cmd =
      root.add_subcommand("reconcile",
                          "Reconcile two record files (CSV, JSON, JSON Lines, or bank statements: "
                          "camt.05x, MT940, BAI2, OFX) offline, without a server");
  cmd->add_option("left", settings->left_path, "left file (e.g. the bank statement)")->required();
  cmd->add_option("right", settings->right_path, "right file (e.g. the ledger export)")->required();
  cmd->add_option("--rules", settings->rules_path,
                  "rules JSON (default: built-in bank/ledger rules)");
  cmd->add_option("--out", settings->out_dir, "output folder")->capture_default_str();
  cmd->add_option("--format", settings->format, "output format")
      ->check(CLI::IsMember({"csv", "json"}))
      ->capture_default_str();
  cmd->add_option("--mapping", settings->mapping_path,
                  "column mapping JSON for both files: a data source's column_mapping");
  cmd->add_option("--left-mapping", settings->left_mapping_path,
                  "column mapping JSON for the left file (instead of --mapping)");
  cmd->add_option("--right-mapping", settings->right_mapping_path,
                  "column mapping JSON for the right file (instead of --mapping)");
  cmd->add_option("--currency", settings->currency,
                  "ISO 4217 code for rows without one (the mapping's default_currency)");
  cmd->add_option("--date-format", settings->date_format,
                  "auto, iso, dd/mm/yyyy, mm/dd/yyyy, dd.mm.yyyy or yyyymmdd (the mapping's "
                  "date_format)");
  cmd->add_option("--decimal-separator", settings->decimal_separator,
                  "auto, . or , (the mapping's decimal_separator)");
  cmd->add_option("--scale", settings->scale,
                  "digits after the decimal point of amounts without a currency")
      ->check(CLI::Range(0, 6))
      ->capture_default_str();
  cmd->add_flag("--learn", settings->learn,
                "learn a match model (Fellegi–Sunter m and u per rule and level) from the two "
                "files and score with it instead of the rules' weights; written to model.json");
  cmd->add_option("--model", settings->model_path,
                  "score with this match model (a model.json written by --learn)");
  cmd->add_option("--threads", settings->threads, "worker threads (0: one per core)")
      ->check(CLI::Range(0, 256));
  cmd->add_flag("--quiet", settings->quiet, "no progress bar and no summary on the terminal");
  cmd->add_flag("--timings", settings->timings, "print the time spent in each stage to stderr");
  cmd->callback([settings] { run(*settings); });
}

}  // namespace oeuvre
