// Runs every data-driven case under tests/engine_cases/<case>/: left.csv and right.csv (loaded like
// `oeuvre reconcile` does), rules.json (optional; default rules otherwise), and either expected.csv
// (kind,status,left_ids,right_ids per group in output order, then one "unmatched" row per unmatched
// record) or error.txt (a fragment of the expected error message). A reviewer reads a case without
// reading C++; adding one needs no code. OEUVRE_UPDATE_ENGINE_CASES=1 rewrites expected.csv files.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "csv/csv_writer.h"
#include "engine/reconciler.h"
#include "ingest/record_loader.h"

namespace oeuvre::engine {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Result<ingest::LoadedRecords> load(const fs::path& path) {
  ASSIGN_OR_RETURN(auto source, csv::FileByteSource::open(path.string()));
  ASSIGN_OR_RETURN(auto reader, csv::CsvReader::open(std::move(source)));
  return ingest::load_records(*reader);
}

std::string describe(const Error& e) {
  std::string out = e.message();
  for (const FieldError& fe : e.field_errors()) out += "\n" + fe.field + ": " + fe.message;
  return out;
}

// Runs one case; returns the rendered outcome (expected.csv format) or "error: ..." text.
std::string run_case(const fs::path& dir) {
  auto left = load(dir / "left.csv");
  if (!left.ok()) return "error: " + describe(left.error());
  auto right = load(dir / "right.csv");
  if (!right.ok()) return "error: " + describe(right.error());
  RuleSet rules = default_rules();
  if (fs::exists(dir / "rules.json")) {
    auto parsed = parse_rules(read_file(dir / "rules.json"));
    if (!parsed.ok()) return "error: " + describe(parsed.error());
    rules = *parsed;
  }
  auto result = reconcile(left->table, right->table, rules);
  if (!result.ok()) return "error: " + describe(result.error());
  std::string out;
  csv::CsvWriter w(out);
  for (const char* h : {"kind", "status", "left_ids", "right_ids"}) w.field(std::string_view(h));
  w.end_row();
  auto join = [](const RecordTable& t, std::span<const std::uint32_t> indices) {
    std::string s;
    for (auto i : indices) s += (s.empty() ? "" : ";") + std::string(t.ids[i]);
    return s;
  };
  for (const MatchGroup& g : result->groups) {
    w.field(group_kind_name(g.kind));
    w.field(match_status_name(g.status));
    w.field(join(left->table, result->left_of(g)));
    w.field(join(right->table, result->right_of(g)));
    w.end_row();
  }
  for (auto i : result->unmatched_left) {
    w.field(std::string_view("unmatched"));
    w.field(std::string_view());
    w.field(left->table.ids[i]);
    w.field(std::string_view());
    w.end_row();
  }
  for (auto i : result->unmatched_right) {
    w.field(std::string_view("unmatched"));
    w.field(std::string_view());
    w.field(std::string_view());
    w.field(right->table.ids[i]);
    w.end_row();
  }
  return out;
}

TEST(EngineCases, AllCasesHoldTheirExpectedOutcome) {
  const fs::path root = fs::path(OEUVRE_SOURCE_DIR) / "tests" / "engine_cases";
  ASSERT_TRUE(fs::is_directory(root)) << root;
  const bool update = std::getenv("OEUVRE_UPDATE_ENGINE_CASES") != nullptr;
  int cases = 0;
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (entry.is_directory()) dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  for (const fs::path& dir : dirs) {
    SCOPED_TRACE(dir.filename().string());
    ++cases;
    const std::string actual = run_case(dir);
    if (fs::exists(dir / "error.txt")) {
      std::string fragment = read_file(dir / "error.txt");
      while (!fragment.empty() && (fragment.back() == '\n' || fragment.back() == '\r'))
        fragment.pop_back();
      EXPECT_EQ(actual.rfind("error: ", 0), 0u) << actual;
      EXPECT_NE(actual.find(fragment), std::string::npos) << actual;
      continue;
    }
    if (update) {
      std::ofstream(dir / "expected.csv", std::ios::binary) << actual;
      continue;
    }
    EXPECT_EQ(actual, read_file(dir / "expected.csv"));
  }
  EXPECT_GT(cases, 0);
}

}  // namespace
}  // namespace oeuvre::engine
