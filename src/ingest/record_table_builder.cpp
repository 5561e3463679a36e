#include "ingest/record_table_builder.h"

#include <algorithm>
#include <boost/json.hpp>

#include "core/json_text.h"
#include "core/money.h"
#include "core/utf8.h"
#include "ingest/file_parser.h"

namespace oeuvre::ingest {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// `a` and `b` alike when A-Z are taken as a-z.
bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

// Whether the JSON `text` may hold the key `lowercase`: it holds it as written (A-Z in `text`
// taken as a-z), or the key has characters JSON escapes. Only a writer that escapes what it need
// not ("batch\u005fid") would hide a key: none of Œuvre's does.
bool contains_ignoring_ascii_case(std::string_view text, std::string_view lowercase) {
  const bool escaped = std::any_of(lowercase.begin(), lowercase.end(), [](char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20;
  });
  if (lowercase.empty() || escaped) return true;
  const auto found = std::search(text.begin(), text.end(), lowercase.begin(), lowercase.end(),
                                 [](char x, char y) { return lower(x) == y; });
  return found != text.end();
}

}  // namespace

std::vector<std::string> extra_fields_read_by(
    const engine::RuleSet& rules, bool left,
    const std::vector<std::pair<std::string, std::string>>& column_names) {
  std::vector<std::string> out;
  for (const engine::FieldRule& rule : rules.fields) {
    const std::string name = ascii_lowercase(left ? rule.left_field : rule.right_field);
    if (name.empty() || engine::is_standard_field(name)) continue;
    const bool header_of_standard =
        std::any_of(column_names.begin(), column_names.end(),
                    [&](const auto& column) { return ascii_lowercase(column.first) == name; });
    if (header_of_standard) continue;
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  // The field that declares batches (engine/reconciler.h, pass 2), when the rules use it.
  const std::string batch = ascii_lowercase(rules.batch_field);
  if (rules.match_batches && std::find(out.begin(), out.end(), batch) == out.end())
    out.push_back(batch);
  return out;
}

RecordTableBuilder::RecordTableBuilder(std::vector<std::string> extra_fields) {
  for (std::string& name : extra_fields) {
    table_.extras.push_back({std::move(name), engine::ExtraKind::kText, {}, {}});
  }
  table_.has_amount = true;
}

void RecordTableBuilder::set_column_names(
    std::vector<std::pair<std::string, std::string>> column_names) {
  table_.column_names = std::move(column_names);
}

void RecordTableBuilder::reserve(std::size_t records) {
  table_.ids.reserve(records, records * 8);
  table_.dates.reserve(records);
  table_.amounts.reserve(records);
}

void RecordTableBuilder::add(const RecordFields& r) {
  engine::RecordTable& t = table_;
  t.ids.push_back(r.id);
  t.dates.push_back(r.date);
  t.has_date = t.has_date || r.date != kNoDate;
  t.amounts.push_back(r.amount_minor);
  t.currencies.push_back(r.currency);
  t.has_currency = t.has_currency || !r.currency.empty();
  t.references.push_back(r.reference);
  t.has_reference = t.has_reference || !r.reference.empty();
  t.descriptions.push_back(r.description);
  t.has_description = t.has_description || !r.description.empty();
  t.counterparties.push_back(r.counterparty);
  t.has_counterparty = t.has_counterparty || !r.counterparty.empty();
  if (t.extras.empty()) return;
  // Most records hold none of the fields asked for (the batch field above all): their extra JSON
  // is not parsed.
  const bool mentioned = std::any_of(t.extras.begin(), t.extras.end(), [&](const auto& column) {
    return contains_ignoring_ascii_case(r.extra_json, column.name);
  });
  if (!mentioned) {
    for (engine::ExtraColumn& column : t.extras) column.text.push_back("");
    return;
  }
  boost::system::error_code ec;
  const boost::json::value extra = boost::json::parse(r.extra_json, ec);
  for (engine::ExtraColumn& column : t.extras) {
    std::string value;
    if (!ec && extra.is_object()) {
      for (const auto& [key, v] : extra.as_object()) {
        if (!equals_ignoring_ascii_case(key, column.name)) continue;
        value = v.is_string() ? std::string(v.as_string()) : to_json_text(v);
        break;
      }
    }
    column.text.push_back(value);
  }
}

engine::RecordTable RecordTableBuilder::finish(int unknown_currency_scale) && {
  engine::RecordTable& t = table_;
  t.amount_scale = t.currencies.size() > 0 && !t.currencies[0].empty()
                       ? currency_scale(t.currencies[0])
                       : unknown_currency_scale;
  return std::move(table_);
}

}  // namespace oeuvre::ingest
