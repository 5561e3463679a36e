// The data-driven engine cases: one test per folder under tests/engine_cases/<case>/, holding
// left.csv and right.csv (read as `oeuvre reconcile` reads them: FileParser, with mapping.json,
// left_mapping.json or right_mapping.json when present), rules.json (optional; default rules
// otherwise), and either expected.csv or error.txt (a fragment of the expected error message).
// expected.csv has one row per group in output order -- kind, status, confidence (4 decimals),
// left_ids, right_ids, and the explanation: each applied rule as "name similarity contribution"
// (4 decimals; "name absent" when a value was empty; with a match model, its match weight in bits
// after them, "2.5000b"), joined by "; " -- then one "unmatched" row
// per unmatched record. A reviewer reads a case without reading C++; adding one needs no code.
// OEUVRE_UPDATE_ENGINE_CASES=1 rewrites the expected.csv files.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "csv/csv_writer.h"
#include "engine/reconciler.h"
#include "ingest/column_mapping.h"
#include "ingest/record_file.h"

namespace oeuvre::engine {
namespace {

namespace fs = std::filesystem;

fs::path cases_root() { return fs::path(OEUVRE_SOURCE_DIR) / "tests" / "engine_cases"; }

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string describe(const Error& e) {
  std::string out = e.message();
  for (const FieldError& fe : e.field_errors()) out += "\n" + fe.field + ": " + fe.message;
  return out;
}

// The settings `oeuvre reconcile` reads a side with: its mapping file, or the shared one, or none.
Result<ingest::ParseSettings> settings_for(const fs::path& dir, std::string_view side) {
  ingest::ParseSettings settings;
  settings.unknown_currency_scale = 2;
  for (const fs::path& file : {dir / (std::string(side) + "_mapping.json"), dir / "mapping.json"}) {
    if (!fs::exists(file)) continue;
    ASSIGN_OR_RETURN(settings.mapping, ingest::column_mapping_from_text(read_file(file)));
    break;
  }
  return settings;
}

std::string fixed4(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", value);
  return text;
}

// Runs one case; returns the rendered outcome (expected.csv format) or "error: ..." text.
std::string run_case(const fs::path& dir) {
  RuleSet rules = default_rules();
  if (fs::exists(dir / "rules.json")) {
    auto parsed = parse_rules(read_file(dir / "rules.json"));
    if (!parsed.ok()) return "error: " + describe(parsed.error());
    rules = *parsed;
  }
  auto left_settings = settings_for(dir, "left");
  if (!left_settings.ok()) return "error: " + describe(left_settings.error());
  auto right_settings = settings_for(dir, "right");
  if (!right_settings.ok()) return "error: " + describe(right_settings.error());
  auto left = ingest::read_record_file((dir / "left.csv").string(), *left_settings, rules, true);
  if (!left.ok()) return "error: " + describe(left.error());
  auto right = ingest::read_record_file((dir / "right.csv").string(), *right_settings, rules, false);
  if (!right.ok()) return "error: " + describe(right.error());
  auto result = reconcile(left->table, right->table, rules);
  if (!result.ok()) return "error: " + describe(result.error());
  std::string out;
  csv::CsvWriter w(out);
  for (const char* h : {"kind", "status", "confidence", "left_ids", "right_ids", "explanation"})
    w.field(std::string_view(h));
  w.end_row();
  auto join = [](const RecordTable& t, std::span<const std::uint32_t> indices) {
    std::string s;
    for (auto i : indices) s += (s.empty() ? "" : ";") + std::string(t.ids[i]);
    return s;
  };
  for (const MatchGroup& g : result->groups) {
    w.field(group_kind_name(g.kind));
    w.field(match_status_name(g.status));
    w.field(fixed4(g.confidence));
    w.field(join(left->table, result->left_of(g)));
    w.field(join(right->table, result->right_of(g)));
    std::string explanation;
    for (const FieldScore& score : result->scores_of(g)) {
      if (!explanation.empty()) explanation += "; ";
      explanation += result->rules[score.rule].rule.name;
      explanation += score.present
                         ? " " + fixed4(score.similarity) + " " + fixed4(score.contribution)
                         : " absent";
      // With a match model, the rule's match weight too (log2 m/u, in bits).
      if (result->model && score.present) explanation += " " + fixed4(score.match_weight) + "b";
    }
    w.field(explanation);
    w.end_row();
  }
  auto unmatched = [&](const RecordTable& t, std::uint32_t i, bool left_side) {
    w.field(std::string_view("unmatched"));
    for (std::string_view empty : {std::string_view(), std::string_view()}) w.field(empty);
    w.field(left_side ? t.ids[i] : std::string_view());
    w.field(left_side ? std::string_view() : t.ids[i]);
    w.field(std::string_view());
    w.end_row();
  };
  for (auto i : result->unmatched_left) unmatched(left->table, i, true);
  for (auto i : result->unmatched_right) unmatched(right->table, i, false);
  return out;
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  if (!fs::is_directory(cases_root())) return names;
  for (const auto& entry : fs::directory_iterator(cases_root())) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class EngineCase : public testing::TestWithParam<std::string> {};

TEST_P(EngineCase, HoldsItsExpectedOutcome) {
  const fs::path dir = cases_root() / GetParam();
  const std::string actual = run_case(dir);
  if (fs::exists(dir / "error.txt")) {
    std::string fragment = read_file(dir / "error.txt");
    while (!fragment.empty() && (fragment.back() == '\n' || fragment.back() == '\r'))
      fragment.pop_back();
    EXPECT_EQ(actual.rfind("error: ", 0), 0u) << actual;
    EXPECT_NE(actual.find(fragment), std::string::npos) << actual;
    return;
  }
  if (std::getenv("OEUVRE_UPDATE_ENGINE_CASES") != nullptr) {
    std::ofstream(dir / "expected.csv", std::ios::binary) << actual;
    return;
  }
  EXPECT_EQ(actual, read_file(dir / "expected.csv"));
}

INSTANTIATE_TEST_SUITE_P(Folders, EngineCase, testing::ValuesIn(case_names()),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(EngineCases, TheCasesFolderHoldsCases) { EXPECT_FALSE(case_names().empty()) << cases_root(); }

}  // namespace
}  // namespace oeuvre::engine
