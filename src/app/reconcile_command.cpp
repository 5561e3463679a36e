#include "app/reconcile_command.h"

#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "csv/byte_source.h"
#include "csv/csv_reader.h"
#include "csv/csv_writer.h"
#include "engine/field_value_renderer.h"
#include "engine/reconciler.h"
#include "engine/rules.h"
#include "ingest/record_loader.h"

namespace oeuvre {
namespace {

namespace fs = std::filesystem;
using engine::ReconcileResult;
using engine::RecordTable;

constexpr std::size_t kMaxRulesBytes = 1 << 20;

struct ReconcileSettings {
  std::string left_path, right_path, rules_path, out_dir = "reconciliation", format = "csv";
  std::string date_order = "auto", decimal = "auto";
  int scale = 2;
  int threads = 0;
  bool quiet = false;
  bool timings = false;
};

// Prints the seconds spent in each stage to stderr (--timings).
class StageClock {
 public:
  explicit StageClock(bool enabled) : enabled_(enabled), last_(std::chrono::steady_clock::now()) {}
  void mark(std::string_view stage) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    std::fprintf(stderr, "%-28.*s %7.3f s\n", static_cast<int>(stage.size()), stage.data(),
                 std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }

 private:
  bool enabled_;
  std::chrono::steady_clock::time_point last_;
};

// A one-line progress bar on stderr, drawn only when stderr is a terminal.
// Thread-safety: safe for concurrent use.
class ProgressBar {
 public:
  explicit ProgressBar(bool enabled) : enabled_(enabled && ::isatty(STDERR_FILENO)) {}
  ~ProgressBar() { finish(); }

  void update(std::string_view stage, double fraction) {
    if (!enabled_) return;
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100) && fraction < 1.0) return;
    last_ = now;
    fraction = std::clamp(fraction, 0.0, 1.0);
    const int width = 30, filled = static_cast<int>(fraction * width);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(width - filled), ' ');
    std::fprintf(stderr, "\r[%s] %3d%% %-28.28s", bar.c_str(), static_cast<int>(fraction * 100),
                 std::string(stage).c_str());
    std::fflush(stderr);
    drawn_ = true;
  }

  void finish() {
    std::lock_guard lock(mutex_);
    if (drawn_) std::fprintf(stderr, "\r%*s\r", 70, "");
    drawn_ = false;
  }

 private:
  bool enabled_;
  std::mutex mutex_;  // guards last_ and drawn_
  std::chrono::steady_clock::time_point last_{};
  bool drawn_ = false;
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

Result<ingest::LoadedRecords> load(const std::string& path, const ingest::LoadOptions& options) {
  ASSIGN_OR_RETURN(auto source, csv::FileByteSource::open(path));
  ASSIGN_OR_RETURN(auto reader, csv::CsvReader::open(std::move(source)));
  return ingest::load_records(*reader, options);
}

Result<engine::RuleSet> read_rules(const std::string& path) {
  if (path.empty()) return engine::default_rules();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::NotFound("cannot open rules file '" + path + "'");
  std::string text;
  text.resize(kMaxRulesBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxRulesBytes)
    return Error::Validation("rules", "the rules file is larger than 1 MiB");
  return engine::parse_rules(text);
}

// Buffered writing of one output file; errors surface on close.
class OutputFile {
 public:
  explicit OutputFile(const fs::path& path) : path_(path), file_(std::fopen(path.c_str(), "wb")) {
    buffer_.reserve(kFlushBytes + 4096);
  }
  ~OutputFile() {
    if (file_ != nullptr) std::fclose(file_);
  }
  bool opened() const { return file_ != nullptr; }
  std::string& buffer() { return buffer_; }
  void maybe_flush() {
    if (buffer_.size() >= kFlushBytes) flush();
  }
  // Writes what is buffered, then `bytes` without copying them into the buffer.
  void write(std::string_view bytes) {
    flush();
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size())
      failed_ = true;
  }
  Status close() {
    flush();
    const bool ok = !failed_ && std::fclose(file_) == 0;
    file_ = nullptr;
    if (!ok) return Error::Internal("cannot write '" + path_.string() + "'");
    return OkStatus();
  }

 private:
  static constexpr std::size_t kFlushBytes = 4 << 20;
  void flush() {
    if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
      failed_ = true;
    buffer_.clear();
  }
  fs::path path_;
  std::FILE* file_;
  std::string buffer_;
  bool failed_ = false;
};

std::string money(std::int64_t minor, int scale) {
  return engine::format_minor_units(minor, scale);
}

std::int64_t sum_amounts(const RecordTable& table, std::span<const std::uint32_t> indices) {
  __int128 total = 0;
  for (std::uint32_t i : indices) total += table.amounts[i];
  if (total > INT64_MAX) return INT64_MAX;
  if (total < INT64_MIN) return INT64_MIN;
  return static_cast<std::int64_t>(total);
}

std::string join_ids(const RecordTable& table, std::span<const std::uint32_t> indices) {
  std::string out;
  for (std::uint32_t i : indices) {
    if (!out.empty()) out.push_back(';');
    out.append(table.ids[i]);
  }
  return out;
}

Status write_csv_outputs(const fs::path& dir, const ReconcileResult& result,
                         const ingest::LoadedRecords& left, const ingest::LoadedRecords& right,
                         ProgressBar& progress) {
  const RecordTable& l = left.table;
  const RecordTable& r = right.table;
  const int scale = l.amount_scale;
  {
    OutputFile file(dir / "matches.csv");
    if (!file.opened())
      return Error::Internal("cannot create '" + (dir / "matches.csv").string() + "'");
    csv::CsvWriter w(file.buffer());
    for (const char* h : {"group", "kind", "status", "confidence", "left_ids", "right_ids",
                          "left_amount", "right_amount", "amount_difference"}) {
      w.field(std::string_view(h));
    }
    for (const auto& rule : result.rules) {
      for (const char* suffix : {"_left", "_right", "_similarity", "_contribution"})
        w.field(rule.rule.name + suffix);
    }
    w.end_row();
    // Field renderers resolved once per rule and side.
    std::vector<engine::FieldValueRenderer> left_values, right_values;
    for (const auto& rule : result.rules) {
      left_values.emplace_back(l, rule.rule.left_field);
      right_values.emplace_back(r, rule.rule.right_field);
    }
    // Groups are formatted in blocks, two at a time on two threads, and written in order by a
    // third thread while the next two blocks are formatted (writing to the page cache costs about
    // as much as formatting).
    auto format_block = [&](std::size_t begin, std::size_t end, std::string& out) {
      out.clear();
      csv::CsvWriter block(out);
      std::string value;
      for (std::size_t k = begin; k < end; ++k) {
        const engine::MatchGroup& g = result.groups[k];
        block.field(static_cast<std::int64_t>(k + 1));
        block.field(engine::group_kind_name(g.kind));
        block.field(engine::match_status_name(g.status));
        block.number_field(g.confidence, 4);
        block.field(join_ids(l, result.left_of(g)));
        block.field(join_ids(r, result.right_of(g)));
        const std::int64_t left_sum = sum_amounts(l, result.left_of(g));
        const std::int64_t right_sum = sum_amounts(r, result.right_of(g));
        block.field(money(left_sum, scale));
        block.field(money(right_sum, scale));
        block.field(
            money(static_cast<std::int64_t>(static_cast<__int128>(left_sum) - right_sum), scale));
        for (const engine::FieldScore& score : result.scores_of(g)) {
          block.field(left_values[score.rule].render_view(result.left_of(g), value));
          block.field(right_values[score.rule].render_view(result.right_of(g), value));
          if (score.present) {
            block.number_field(score.similarity, 4);
            block.number_field(score.contribution, 4);
          } else {
            block.field(std::string_view());
            block.field(std::string_view());
          }
        }
        block.end_row();
      }
    };
    constexpr std::size_t kBlock = 16384;
    const std::size_t count = result.groups.size();
    std::string blocks[2][2];  // [pair being written or formatted][first, second]
    std::thread writer;
    int current = 0;
    for (std::size_t begin = 0; begin < count; begin += 2 * kBlock) {
      const std::size_t middle = std::min(count, begin + kBlock),
                        end = std::min(count, begin + 2 * kBlock);
      std::string* pair = blocks[current];
      std::thread helper([&] { format_block(middle, end, pair[1]); });
      format_block(begin, middle, pair[0]);
      helper.join();
      if (writer.joinable()) writer.join();
      writer = std::thread([&file, pair] {
        file.write(pair[0]);
        file.write(pair[1]);
      });
      current = 1 - current;
      progress.update("writing",
                      0.90 + 0.08 * static_cast<double>(end) / static_cast<double>(count));
    }
    if (writer.joinable()) writer.join();
    RETURN_IF_ERROR(file.close());
  }
  for (int side = 0; side < 2; ++side) {
    const ingest::LoadedRecords& records = side == 0 ? left : right;
    const RecordTable& t = records.table;
    const auto& unmatched = side == 0 ? result.unmatched_left : result.unmatched_right;
    const auto& duplicate_of = side == 0 ? result.left_duplicate_of : result.right_duplicate_of;
    const fs::path path = dir / (side == 0 ? "unmatched_left.csv" : "unmatched_right.csv");
    OutputFile file(path);
    if (!file.opened()) return Error::Internal("cannot create '" + path.string() + "'");
    csv::CsvWriter w(file.buffer());
    for (const char* h : {"id", "line", "date", "amount", "currency", "reference", "description",
                          "counterparty", "duplicate_of"}) {
      w.field(std::string_view(h));
    }
    w.end_row();
    for (std::uint32_t i : unmatched) {
      w.field(t.ids[i]);
      w.field(static_cast<std::int64_t>(records.lines[i]));
      w.field(engine::format_iso_date(t.dates[i]));
      w.field(money(t.amounts[i], t.amount_scale));
      w.field(t.currencies[i]);
      w.field(t.references[i]);
      w.field(t.descriptions[i]);
      w.field(t.counterparties[i]);
      w.field(duplicate_of[i] >= 0 ? t.ids[static_cast<std::size_t>(duplicate_of[i])]
                                   : std::string_view());
      w.end_row();
      file.maybe_flush();
    }
    RETURN_IF_ERROR(file.close());
  }
  return OkStatus();
}

boost::json::object summary_json(const ReconcileResult& result, int scale, double seconds) {
  const engine::ReconcileSummary& s = result.summary;
  boost::json::object o;
  o["left_records"] = s.left_records;
  o["right_records"] = s.right_records;
  o["matched_groups"] = s.matched_groups;
  o["suggested_groups"] = s.suggested_groups;
  o["one_to_one"] = s.one_to_one;
  o["one_to_many"] = s.one_to_many;
  o["many_to_one"] = s.many_to_one;
  o["left_matched"] = s.left_matched;
  o["right_matched"] = s.right_matched;
  o["left_suggested"] = s.left_suggested;
  o["right_suggested"] = s.right_suggested;
  o["left_unmatched"] = s.left_unmatched;
  o["right_unmatched"] = s.right_unmatched;
  o["left_duplicates"] = s.left_duplicates;
  o["right_duplicates"] = s.right_duplicates;
  boost::json::array totals;
  for (const engine::CurrencyTotals& t : s.totals) {
    boost::json::object c;
    c["currency"] = t.currency;
    c["matched_left"] = money(t.matched_left, scale);
    c["matched_right"] = money(t.matched_right, scale);
    c["suggested_left"] = money(t.suggested_left, scale);
    c["suggested_right"] = money(t.suggested_right, scale);
    c["unmatched_left"] = money(t.unmatched_left, scale);
    c["unmatched_right"] = money(t.unmatched_right, scale);
    c["net_difference"] = money(t.net_difference, scale);
    totals.push_back(std::move(c));
  }
  o["totals"] = std::move(totals);
  o["seconds"] = seconds;
  return o;
}

Status write_json_outputs(const fs::path& dir, const ReconcileResult& result,
                          const ingest::LoadedRecords& left, const ingest::LoadedRecords& right) {
  const RecordTable& l = left.table;
  const RecordTable& r = right.table;
  const int scale = l.amount_scale;
  {
    OutputFile file(dir / "matches.json");
    if (!file.opened())
      return Error::Internal("cannot create '" + (dir / "matches.json").string() + "'");
    file.buffer() += "[";
    bool first = true;
    for (const engine::MatchGroup& g : result.groups) {
      boost::json::object o;
      boost::json::array left_ids, right_ids, explanation;
      for (std::uint32_t i : result.left_of(g)) left_ids.emplace_back(l.ids[i]);
      for (std::uint32_t i : result.right_of(g)) right_ids.emplace_back(r.ids[i]);
      o["kind"] = engine::group_kind_name(g.kind);
      o["status"] = engine::match_status_name(g.status);
      o["confidence"] = g.confidence;
      o["left_ids"] = std::move(left_ids);
      o["right_ids"] = std::move(right_ids);
      o["left_amount"] = money(sum_amounts(l, result.left_of(g)), scale);
      o["right_amount"] = money(sum_amounts(r, result.right_of(g)), scale);
      for (const engine::Explanation& e : engine::explain(result, g, l, r)) {
        boost::json::object x;
        x["rule"] = e.rule;
        x["comparison"] = e.comparison;
        x["left"] = e.left_value;
        x["right"] = e.right_value;
        x["present"] = e.present;
        x["similarity"] = e.similarity;
        x["weight"] = e.weight;
        x["contribution"] = e.contribution;
        explanation.push_back(std::move(x));
      }
      o["explanation"] = std::move(explanation);
      file.buffer() += first ? "\n" : ",\n";
      first = false;
      file.buffer() += boost::json::serialize(o);
      file.maybe_flush();
    }
    file.buffer() += "\n]\n";
    RETURN_IF_ERROR(file.close());
  }
  for (int side = 0; side < 2; ++side) {
    const ingest::LoadedRecords& records = side == 0 ? left : right;
    const RecordTable& t = records.table;
    const auto& unmatched = side == 0 ? result.unmatched_left : result.unmatched_right;
    const auto& duplicate_of = side == 0 ? result.left_duplicate_of : result.right_duplicate_of;
    const fs::path path = dir / (side == 0 ? "unmatched_left.json" : "unmatched_right.json");
    OutputFile file(path);
    if (!file.opened()) return Error::Internal("cannot create '" + path.string() + "'");
    file.buffer() += "[";
    bool first = true;
    for (std::uint32_t i : unmatched) {
      boost::json::object o;
      o["id"] = t.ids[i];
      o["line"] = records.lines[i];
      o["date"] = engine::format_iso_date(t.dates[i]);
      o["amount"] = money(t.amounts[i], t.amount_scale);
      o["currency"] = t.currencies[i];
      o["reference"] = t.references[i];
      o["description"] = t.descriptions[i];
      o["counterparty"] = t.counterparties[i];
      if (duplicate_of[i] >= 0)
        o["duplicate_of"] = t.ids[static_cast<std::size_t>(duplicate_of[i])];
      file.buffer() += first ? "\n" : ",\n";
      first = false;
      file.buffer() += boost::json::serialize(o);
      file.maybe_flush();
    }
    file.buffer() += "\n]\n";
    RETURN_IF_ERROR(file.close());
  }
  return OkStatus();
}

void print_summary(const ReconcileResult& result, int scale, const fs::path& dir, double seconds) {
  const engine::ReconcileSummary& s = result.summary;
  std::ostringstream out;
  out << "left records:    " << s.left_records << "  (matched " << s.left_matched << ", suggested "
      << s.left_suggested << ", unmatched " << s.left_unmatched << ", duplicates "
      << s.left_duplicates << ")\n"
      << "right records:   " << s.right_records << "  (matched " << s.right_matched
      << ", suggested " << s.right_suggested << ", unmatched " << s.right_unmatched
      << ", duplicates " << s.right_duplicates << ")\n"
      << "groups:          " << s.matched_groups << " matched, " << s.suggested_groups
      << " suggested  (1:1 " << s.one_to_one << ", 1:N " << s.one_to_many << ", N:1 "
      << s.many_to_one << ")\n";
  for (const engine::CurrencyTotals& t : s.totals) {
    const std::string label = t.currency.empty() ? "" : t.currency + " ";
    out << "amounts " << label << "   matched " << money(t.matched_left, scale) << " vs "
        << money(t.matched_right, scale) << "; unmatched left " << money(t.unmatched_left, scale)
        << ", right " << money(t.unmatched_right, scale) << "; net difference "
        << money(t.net_difference, scale) << "\n";
  }
  char timing[64];
  std::snprintf(timing, sizeof timing, "%.2f s", seconds);
  out << "written to " << dir.string() << " in " << timing << "\n";
  std::cout << out.str();
}

void run(const ReconcileSettings& settings) {
  const auto started = std::chrono::steady_clock::now();
  ProgressBar progress(!settings.quiet && !settings.timings);
  StageClock clock(settings.timings);
  auto rules = read_rules(settings.rules_path);
  if (!rules.ok()) fail(settings.rules_path, rules.error());

  ingest::LoadOptions options;
  options.amount_scale = settings.scale;
  if (settings.date_order == "dmy") options.date_order = ingest::DateOrder::kDayMonthYear;
  if (settings.date_order == "mdy") options.date_order = ingest::DateOrder::kMonthDayYear;
  if (settings.date_order == "ymd") options.date_order = ingest::DateOrder::kYearMonthDay;
  if (settings.decimal == "dot") options.decimal_separator = ingest::DecimalSeparator::kDot;
  if (settings.decimal == "comma") options.decimal_separator = ingest::DecimalSeparator::kComma;

  std::error_code size_error;
  const double total_bytes = static_cast<double>(fs::file_size(settings.left_path, size_error)) +
                             static_cast<double>(fs::file_size(settings.right_path, size_error)) +
                             1.0;
  std::atomic<std::uint64_t> left_bytes{0}, right_bytes{0};
  auto report_loading = [&] {
    progress.update("reading", 0.4 * static_cast<double>(left_bytes + right_bytes) / total_bytes);
  };
  ingest::LoadOptions left_options = options, right_options = options;
  left_options.progress = [&](std::uint64_t b) {
    left_bytes = b;
    report_loading();
  };
  right_options.progress = [&](std::uint64_t b) {
    right_bytes = b;
    report_loading();
  };
  // Both files are read at the same time.
  std::optional<Result<ingest::LoadedRecords>> right_loaded;
  std::thread right_reader([&] { right_loaded.emplace(load(settings.right_path, right_options)); });
  Result<ingest::LoadedRecords> left_loaded = load(settings.left_path, left_options);
  right_reader.join();
  if (!left_loaded.ok()) fail(settings.left_path, left_loaded.error());
  if (!right_loaded->ok()) fail(settings.right_path, right_loaded->error());
  const ingest::LoadedRecords& left = left_loaded.value();
  const ingest::LoadedRecords& right = right_loaded->value();
  if (left.table.amount_scale != right.table.amount_scale)
    fail("", Error::Internal("amount scales differ"));

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
  Status written = settings.format == "json"
                       ? write_json_outputs(dir, *result, left, right)
                       : write_csv_outputs(dir, *result, left, right, progress);
  if (!written.ok()) fail("", written.error(), 1);
  clock.mark("write outputs");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  {
    OutputFile file(dir / "summary.json");
    if (!file.opened())
      fail("", Error::Internal("cannot create '" + (dir / "summary.json").string() + "'"), 1);
    file.buffer() =
        boost::json::serialize(summary_json(*result, left.table.amount_scale, seconds)) + "\n";
    if (Status closed = file.close(); !closed.ok()) fail("", closed.error(), 1);
  }
  progress.finish();
  if (!settings.quiet) print_summary(*result, left.table.amount_scale, dir, seconds);
}

}  // namespace

void add_reconcile_command(CLI::App& root) {
  auto settings = std::make_shared<ReconcileSettings>();
  CLI::App* cmd =
      root.add_subcommand("reconcile", "Reconcile two CSV files offline (no server or database)");
  cmd->add_option("left", settings->left_path, "left CSV file (e.g. the bank statement)")
      ->required();
  cmd->add_option("right", settings->right_path, "right CSV file (e.g. the ledger export)")
      ->required();
  cmd->add_option("--rules", settings->rules_path,
                  "rules JSON (default: built-in bank/ledger rules)");
  cmd->add_option("--out", settings->out_dir, "output folder")->capture_default_str();
  cmd->add_option("--format", settings->format, "output format")
      ->check(CLI::IsMember({"csv", "json"}))
      ->capture_default_str();
  cmd->add_option("--date-order", settings->date_order,
                  "order of numeric dates: auto, dmy, mdy or ymd")
      ->check(CLI::IsMember({"auto", "dmy", "mdy", "ymd"}))
      ->capture_default_str();
  cmd->add_option("--decimal", settings->decimal,
                  "decimal separator of amounts: auto, dot or comma")
      ->check(CLI::IsMember({"auto", "dot", "comma"}))
      ->capture_default_str();
  cmd->add_option("--scale", settings->scale, "digits after the decimal point of amounts")
      ->check(CLI::Range(0, 6))
      ->capture_default_str();
  cmd->add_option("--threads", settings->threads, "worker threads (0: one per core)")
      ->check(CLI::Range(0, 256));
  cmd->add_flag("--quiet", settings->quiet, "no progress bar and no summary on the terminal");
  cmd->add_flag("--timings", settings->timings, "print the time spent in each stage to stderr");
  cmd->callback([settings] { run(*settings); });
}

}  // namespace oeuvre
