#include "ingest/record_file.h"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <optional>

#include "ingest/record_table_builder.h"

namespace oeuvre::ingest {
namespace {

constexpr std::size_t kBatch = 4096;
constexpr std::size_t kErrorsInFailure = 20;

// The engine's name of a field of FileLayout::mapping ("external_id" is the engine's "id").
std::string engine_field(const std::string& field) { return field == "external_id" ? "id" : field; }

bool maps(const FileLayout& layout, std::string_view field) {
  return std::any_of(layout.mapping.begin(), layout.mapping.end(),
                     [&](const auto& m) { return m.first == field; });
}

bool compares_amounts(const engine::RuleSet& rules) {
  return std::any_of(rules.fields.begin(), rules.fields.end(), [](const engine::FieldRule& rule) {
    return rule.comparator == engine::Comparator::kAmount;
  });
}

// `error` of a file without an amount column that the rules need, with a field saying so.
Error with_amount_hint(Error error) {
  if (error.code() != ErrorCode::kValidation) return error;
  std::vector<FieldError> fields = error.field_errors();
  const bool no_amount_column = std::any_of(fields.begin(), fields.end(), [](const FieldError& e) {
    return e.message.find("no amount column") != std::string::npos;
  });
  if (!no_amount_column) return error;
  fields.push_back({"rules",
                    "compare amounts (an amount rule), which this file lacks; records "
                    "without amounts, such as customers or people, reconcile with rules "
                    "that have no amount rule"});
  return Error::Validation(std::move(fields));
}

}  // namespace

Result<RecordFile> read_record_file(const std::string& path, const ParseSettings& settings,
                                    const engine::RuleSet& rules, bool left,
                                    const ProgressFn& progress) {
  const std::string filename = std::filesystem::path(path).filename().string();
  // Rules that compare no amounts read files without an amount column too.
  const bool amounts_needed = compares_amounts(rules);
  ParseSettings file_settings = settings;
  file_settings.amount_optional = settings.amount_optional || !amounts_needed;
  ASSIGN_OR_RETURN(auto parser, FileParser::open(path, filename, "", file_settings));
  std::optional<RecordTableBuilder> builder;
  RecordFile out;
  bool ids_from_lines = true;
  char line_id[24];
  auto start = [&](const FileLayout& layout) {
    std::vector<std::pair<std::string, std::string>> column_names;
    for (const auto& [field, header] : layout.mapping) {
      if (field == "debit" || field == "credit" || field == "credit_debit_indicator") continue;
      column_names.emplace_back(header, engine_field(field));
    }
    builder.emplace(extra_fields_read_by(rules, left, column_names));
    builder->set_column_names(std::move(column_names));
    builder->set_has_amounts(layout.has_amounts);
    ids_from_lines = !maps(layout, "external_id");
  };
  auto sink = [&](std::span<const ParsedRecord> batch) -> Status {
    if (!builder) start(parser->layout());
    for (const ParsedRecord& r : batch) {
      RecordFields fields;
      if (ids_from_lines) {
        const auto end = std::to_chars(line_id, line_id + sizeof line_id, r.line).ptr;
        fields.id = std::string_view(line_id, static_cast<std::size_t>(end - line_id));
      } else {
        fields.id = r.external_id;
      }
      fields.date = r.date_days.value_or(kNoDate);
      fields.amount_minor = r.amount_minor;
      fields.currency = r.currency;
      fields.reference = r.reference;
      fields.description = r.description;
      fields.counterparty = r.counterparty;
      fields.extra_json = r.extra_json;
      builder->add(fields);
      out.lines.push_back(r.line);
    }
    return OkStatus();
  };
  auto analysed = parser->analyse(kBatch, sink, progress);
  if (!analysed.ok()) {
    return amounts_needed && !settings.amount_optional ? with_amount_hint(analysed.error())
                                                       : analysed.error();
  }
  out.layout = *std::move(analysed);
  if (amounts_needed && !out.layout.has_amounts) {
    // Read without amounts (the mapping's amount_optional), yet the rules compare them: the engine
    // would drop the amount rule without a word.
    return with_amount_hint(Error::Validation(
        "file", "header: no amount column (the column mapping says amount_optional)"));
  }
  out.errors = parser->errors();
  if (settings.mapping.all_or_nothing.value_or(false) && out.layout.rows_failed > 0) {
    std::vector<FieldError> fields;
    fields.push_back({"file", std::to_string(out.layout.rows_failed) + " of " +
                                  std::to_string(out.layout.rows) +
                                  " rows could not be read and the mapping is all-or-nothing "
                                  "(all_or_nothing)"});
    for (std::size_t i = 0; i < out.errors.size() && i < kErrorsInFailure; ++i) {
      const RowError& e = out.errors[i];
      fields.push_back({"line " + std::to_string(e.line) +
                            (e.column.empty() ? "" : ", column '" + e.column + "'"),
                        e.value.empty() ? e.reason : "'" + e.value + "': " + e.reason});
    }
    return Error::Validation(std::move(fields));
  }
  if (!builder) start(out.layout);
  out.table = std::move(*builder).finish(settings.unknown_currency_scale.value_or(2));
  RETURN_IF_ERROR(out.table.check_consistent());
  return out;
}

}  // namespace oeuvre::ingest
