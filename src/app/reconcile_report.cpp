#include "app/reconcile_report.h"

#include <boost/json.hpp>

#include <cstdio>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/date.h"
#include "core/json_writer.h"
#include "core/money.h"
#include "csv/csv_writer.h"
#include "engine/field_value_renderer.h"
#include "engine/match_model.h"
#include "engine/reconciler.h"
#include "ingest/file_parser.h"

namespace oeuvre {
namespace {

namespace fs = std::filesystem;
using engine::MatchGroup;
using engine::ReconcileResult;
using engine::RecordTable;

// Buffered writing of one output file; errors surface on close.
class OutputFile {
 public:
  explicit OutputFile(fs::path path) : path_(std::move(path)), file_(std::fopen(path_.c_str(), "wb")) {
    buffer_.reserve(kFlushBytes + 4096);
  }
  ~OutputFile() {
    if (file_ != nullptr) std::fclose(file_);
  }
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  Status opened() const {
    if (file_ == nullptr) return Error::Internal("cannot create '" + path_.string() + "'");
    return OkStatus();
  }
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

std::string money(std::int64_t minor, int scale) { return format_minor_units(minor, scale); }

// The scale amounts of `currency` are shown with: its ISO 4217 digits, or the table's when the
// records carry no currency.
int scale_of(std::string_view currency, int table_scale) {
  return currency.empty() ? table_scale : currency_scale(currency);
}

std::int64_t sum_amounts(const RecordTable& table, std::span<const std::uint32_t> indices) {
  __int128 total = 0;
  for (std::uint32_t i : indices) total += table.amounts[i];
  if (total > INT64_MAX) return INT64_MAX;
  if (total < INT64_MIN) return INT64_MIN;
  return static_cast<std::int64_t>(total);
}

std::int64_t difference(std::int64_t a, std::int64_t b) {
  const __int128 d = static_cast<__int128>(a) - b;
  if (d > INT64_MAX) return INT64_MAX;
  if (d < INT64_MIN) return INT64_MIN;
  return static_cast<std::int64_t>(d);
}

std::string join_ids(const RecordTable& table, std::span<const std::uint32_t> indices) {
  std::string out;
  for (std::uint32_t i : indices) {
    if (!out.empty()) out.push_back(';');
    out.append(table.ids[i]);
  }
  return out;
}

// How one format writes the report's pieces. group() and unmatched() are const and append to the
// caller's string only, so groups may be formatted on several threads at once.
class Format {
 public:
  Format(const ReconcileResult& result, const RecordTable& left, const RecordTable& right)
      : result_(result), left_(left), right_(right) {}
  virtual ~Format() = default;
  virtual std::string_view extension() const = 0;
  virtual void begin_matches(std::string& out) const = 0;
  virtual void group(std::string& out, std::size_t k) const = 0;  // the k-th group of the result
  virtual void end_matches(std::string& out) const = 0;
  virtual void begin_unmatched(std::string& out) const = 0;
  // Record `i` of `records`; `first` for the first record of the file.
  virtual void unmatched(std::string& out, const ingest::RecordFile& records, std::uint32_t i,
                         std::int64_t duplicate_of, bool first) const = 0;
  virtual void end_unmatched(std::string& out) const = 0;

 protected:
  const ReconcileResult& result_;
  const RecordTable& left_;
  const RecordTable& right_;
};

class CsvFormat final : public Format {
 public:
  CsvFormat(const ReconcileResult& result, const RecordTable& left, const RecordTable& right)
      : Format(result, left, right) {
    for (const auto& rule : result.rules) {
      left_values_.emplace_back(left, rule.rule.left_field);
      right_values_.emplace_back(right, rule.rule.right_field);
    }
  }
  std::string_view extension() const override { return "csv"; }

  void begin_matches(std::string& out) const override {
    csv::CsvWriter w(out);
    for (const char* h : {"group", "kind", "status", "confidence", "left_ids", "right_ids",
                          "left_amount", "right_amount", "amount_difference", "held",
                          "alternatives"}) {
      w.field(std::string_view(h));
    }
    for (const auto& rule : result_.rules) {
      for (const char* suffix : {"_left", "_right", "_similarity", "_contribution"})
        w.field(rule.rule.name + suffix);
      if (result_.model) w.field(rule.rule.name + "_match_weight");
    }
    w.end_row();
  }

  void group(std::string& out, std::size_t k) const override {
    const MatchGroup& g = result_.groups[k];
    const int scale = left_.amount_scale;
    csv::CsvWriter w(out);
    w.field(static_cast<std::int64_t>(k + 1));
    w.field(engine::group_kind_name(g.kind));
    w.field(engine::match_status_name(g.status));
    w.number_field(g.confidence, 4);
    w.field(join_ids(left_, result_.left_of(g)));
    w.field(join_ids(right_, result_.right_of(g)));
    const std::int64_t left_sum = sum_amounts(left_, result_.left_of(g));
    const std::int64_t right_sum = sum_amounts(right_, result_.right_of(g));
    // Records without amounts (customers, people) leave the amount columns empty.
    w.field(left_.has_amount ? money(left_sum, scale) : std::string());
    w.field(right_.has_amount ? money(right_sum, scale) : std::string());
    w.field(left_.has_amount && right_.has_amount ? money(difference(left_sum, right_sum), scale)
                                                  : std::string());
    w.field(engine::hold_reason_name(g.held));
    w.field(describe_alternatives(g));
    std::string value;
    for (const engine::FieldScore& score : result_.scores_of(g)) {
      w.field(left_values_[score.rule].render_view(result_.left_of(g), value));
      w.field(right_values_[score.rule].render_view(result_.right_of(g), value));
      if (score.present) {
        w.number_field(score.similarity, 4);
        w.number_field(score.contribution, 4);
      } else {
        w.field(std::string_view());
        w.field(std::string_view());
      }
      if (result_.model) {
        if (score.present) {
          w.number_field(score.match_weight, 4);
        } else {
          w.field(std::string_view());
        }
      }
    }
    w.end_row();
  }

  void end_matches(std::string&) const override {}

  // "L:1;2 R:7 (0.9132) | L:3 R:8 (0.9)": each competing explanation's ids and confidence.
  std::string describe_alternatives(const MatchGroup& g) const {
    std::string text;
    char confidence[32];
    for (const engine::Alternative& a : result_.alternatives_of(g)) {
      if (!text.empty()) text += " | ";
      text += "L:" + join_ids(left_, result_.left_of(a)) + " R:" +
              join_ids(right_, result_.right_of(a));
      std::snprintf(confidence, sizeof confidence, " (%.4g)", a.confidence);
      text += confidence;
    }
    return text;
  }

  void begin_unmatched(std::string& out) const override {
    csv::CsvWriter w(out);
    for (const char* h : {"id", "line", "date", "amount", "currency", "reference", "description",
                          "counterparty", "duplicate_of"}) {
      w.field(std::string_view(h));
    }
    w.end_row();
  }

  void unmatched(std::string& out, const ingest::RecordFile& records, std::uint32_t i,
                 std::int64_t duplicate_of, bool) const override {
    const RecordTable& t = records.table;
    csv::CsvWriter w(out);
    w.field(t.ids[i]);
    w.field(static_cast<std::int64_t>(records.lines[i]));
    w.field(format_iso_date(t.dates[i]));
    w.field(t.has_amount ? money(t.amounts[i], scale_of(t.currencies[i], t.amount_scale))
                         : std::string());
    w.field(t.currencies[i]);
    w.field(t.references[i]);
    w.field(t.descriptions[i]);
    w.field(t.counterparties[i]);
    w.field(duplicate_of >= 0 ? t.ids[static_cast<std::size_t>(duplicate_of)]
                              : std::string_view());
    w.end_row();
  }

  void end_unmatched(std::string&) const override {}

 private:
  // Field renderers resolved once per rule and side.
  std::vector<engine::FieldValueRenderer> left_values_, right_values_;
};

class JsonFormat final : public Format {
 public:
  using Format::Format;
  std::string_view extension() const override { return "json"; }

  void begin_matches(std::string& out) const override { out += "["; }

  void group(std::string& out, std::size_t k) const override {
    const MatchGroup& g = result_.groups[k];
    const int scale = left_.amount_scale;
    out += k == 0 ? "\n" : ",\n";
    JsonWriter w(out);
    w.begin_object();
    w.key("kind").string(engine::group_kind_name(g.kind));
    w.key("status").string(engine::match_status_name(g.status));
    w.key("confidence").number(g.confidence);
    w.key("left_ids").begin_array();
    for (std::uint32_t i : result_.left_of(g)) w.string(left_.ids[i]);
    w.end_array();
    w.key("right_ids").begin_array();
    for (std::uint32_t i : result_.right_of(g)) w.string(right_.ids[i]);
    w.end_array();
    // Records without amounts (customers, people): null.
    w.key("left_amount");
    if (left_.has_amount) {
      w.string(money(sum_amounts(left_, result_.left_of(g)), scale));
    } else {
      w.null();
    }
    w.key("right_amount");
    if (right_.has_amount) {
      w.string(money(sum_amounts(right_, result_.right_of(g)), scale));
    } else {
      w.null();
    }
    if (g.held != engine::HoldReason::kNone) w.key("held").string(engine::hold_reason_name(g.held));
    w.key("alternatives").begin_array();
    for (const engine::Alternative& a : result_.alternatives_of(g)) {
      w.begin_object();
      w.key("left_ids").begin_array();
      for (std::uint32_t i : result_.left_of(a)) w.string(left_.ids[i]);
      w.end_array();
      w.key("right_ids").begin_array();
      for (std::uint32_t i : result_.right_of(a)) w.string(right_.ids[i]);
      w.end_array();
      w.key("confidence").number(a.confidence);
      w.end_object();
    }
    w.end_array();
    w.key("explanation").begin_array();
    for (const engine::Explanation& e : engine::explain(result_, g, left_, right_)) {
      engine::write_json(w, e);
    }
    w.end_array();
    w.end_object();
  }

  void end_matches(std::string& out) const override { out += "\n]\n"; }
  void begin_unmatched(std::string& out) const override { out += "["; }

  void unmatched(std::string& out, const ingest::RecordFile& records, std::uint32_t i,
                 std::int64_t duplicate_of, bool first) const override {
    const RecordTable& t = records.table;
    out += first ? "\n" : ",\n";
    JsonWriter w(out);
    w.begin_object();
    w.key("id").string(t.ids[i]);
    w.key("line").number(static_cast<std::int64_t>(records.lines[i]));
    w.key("date").string(format_iso_date(t.dates[i]));
    w.key("amount");
    if (t.has_amount) {
      w.string(money(t.amounts[i], scale_of(t.currencies[i], t.amount_scale)));
    } else {
      w.null();
    }
    w.key("currency").string(t.currencies[i]);
    w.key("reference").string(t.references[i]);
    w.key("description").string(t.descriptions[i]);
    w.key("counterparty").string(t.counterparties[i]);
    if (duplicate_of >= 0) w.key("duplicate_of").string(t.ids[static_cast<std::size_t>(duplicate_of)]);
    w.end_object();
  }

  void end_unmatched(std::string& out) const override { out += "\n]\n"; }
};

// The matches file: groups are formatted in blocks, two at a time on two threads, and written in
// order by a third thread while the next two blocks are formatted (writing to the page cache costs
// about as much as formatting).
Status write_matches(const fs::path& dir, const Format& format, std::size_t count,
                     const std::function<void(double)>& progress) {
  OutputFile file(dir / ("matches." + std::string(format.extension())));
  RETURN_IF_ERROR(file.opened());
  format.begin_matches(file.buffer());
  auto format_block = [&](std::size_t begin, std::size_t end, std::string& out) {
    out.clear();
    for (std::size_t k = begin; k < end; ++k) format.group(out, k);
  };
  constexpr std::size_t kBlock = 16384;
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
    if (progress) progress(static_cast<double>(end) / static_cast<double>(count));
  }
  if (writer.joinable()) writer.join();
  format.end_matches(file.buffer());
  return file.close();
}

Status write_unmatched(const fs::path& dir, const Format& format, const ingest::RecordFile& records,
                       const std::vector<std::uint32_t>& unmatched,
                       const std::vector<std::int64_t>& duplicate_of, std::string_view side) {
  OutputFile file(dir / ("unmatched_" + std::string(side) + "." + std::string(format.extension())));
  RETURN_IF_ERROR(file.opened());
  format.begin_unmatched(file.buffer());
  bool first = true;
  for (std::uint32_t i : unmatched) {
    format.unmatched(file.buffer(), records, i, duplicate_of[i], first);
    first = false;
    file.maybe_flush();
  }
  format.end_unmatched(file.buffer());
  return file.close();
}

// rejected_<side>.csv: the rows of a file that could not be read, or no such file when all were.
Status write_rejected(const fs::path& dir, std::string_view side, const ingest::RecordFile& records) {
  const fs::path path = dir / ("rejected_" + std::string(side) + ".csv");
  if (records.layout.rows_failed == 0) {
    std::error_code ec;
    fs::remove(path, ec);
    return OkStatus();
  }
  OutputFile file(path);
  RETURN_IF_ERROR(file.opened());
  csv::CsvWriter w(file.buffer());
  for (const char* h : {"line", "column", "value", "reason"}) w.field(std::string_view(h));
  w.end_row();
  for (const ingest::RowError& e : records.errors) {
    w.field(static_cast<std::int64_t>(e.line));
    w.field(e.column);
    w.field(e.value);
    w.field(e.reason);
    w.end_row();
  }
  return file.close();
}

}  // namespace

Status write_report(const fs::path& dir, ReportFormat kind, const ReconcileResult& result,
                    const ingest::RecordFile& left, const ingest::RecordFile& right,
                    const std::function<void(double)>& progress) {
  std::unique_ptr<Format> format;
  if (kind == ReportFormat::kJson) {
    format = std::make_unique<JsonFormat>(result, left.table, right.table);
  } else {
    format = std::make_unique<CsvFormat>(result, left.table, right.table);
  }
  RETURN_IF_ERROR(write_matches(dir, *format, result.groups.size(), progress));
  RETURN_IF_ERROR(write_unmatched(dir, *format, left, result.unmatched_left,
                                  result.left_duplicate_of, "left"));
  RETURN_IF_ERROR(write_unmatched(dir, *format, right, result.unmatched_right,
                                  result.right_duplicate_of, "right"));
  RETURN_IF_ERROR(write_rejected(dir, "left", left));
  return write_rejected(dir, "right", right);
}

Status write_model(const fs::path& dir, const ReconcileResult& result) {
  if (!result.model) {
    std::error_code ignored;
    fs::remove(dir / "model.json", ignored);
    return OkStatus();
  }
  OutputFile file(dir / "model.json");
  RETURN_IF_ERROR(file.opened());
  file.buffer() = boost::json::serialize(engine::model_to_json(*result.model));
  file.buffer() += '\n';
  return file.close();
}

Status write_summary(const fs::path& dir, const ReconcileResult& result,
                     const ingest::RecordFile& left, const ingest::RecordFile& right,
                     double seconds) {
  const engine::ReconcileSummary& s = result.summary;
  const int table_scale = left.table.amount_scale;
  OutputFile file(dir / "summary.json");
  RETURN_IF_ERROR(file.opened());
  JsonWriter w(file.buffer());
  w.begin_object();
  auto count = [&](std::string_view key, std::uint64_t n) {
    w.key(key).number(static_cast<std::int64_t>(n));
  };
  count("left_records", s.left_records);
  count("right_records", s.right_records);
  count("left_rows_failed", left.layout.rows_failed);
  count("right_rows_failed", right.layout.rows_failed);
  count("matched_groups", s.matched_groups);
  count("suggested_groups", s.suggested_groups);
  count("one_to_one", s.one_to_one);
  count("one_to_many", s.one_to_many);
  count("many_to_one", s.many_to_one);
  count("offsets", s.offsets);
  count("left_matched", s.left_matched);
  count("right_matched", s.right_matched);
  count("left_suggested", s.left_suggested);
  count("right_suggested", s.right_suggested);
  count("left_offset", s.left_offset);
  count("right_offset", s.right_offset);
  count("left_unmatched", s.left_unmatched);
  count("right_unmatched", s.right_unmatched);
  count("left_duplicates", s.left_duplicates);
  count("right_duplicates", s.right_duplicates);
  w.key("totals").begin_array();
  for (const engine::CurrencyTotals& t : s.totals) {
    const int scale = scale_of(t.currency, table_scale);
    w.begin_object();
    w.key("currency").string(t.currency);
    w.key("matched_left").string(money(t.matched_left, scale));
    w.key("matched_right").string(money(t.matched_right, scale));
    w.key("suggested_left").string(money(t.suggested_left, scale));
    w.key("suggested_right").string(money(t.suggested_right, scale));
    w.key("unmatched_left").string(money(t.unmatched_left, scale));
    w.key("unmatched_right").string(money(t.unmatched_right, scale));
    w.key("net_difference").string(money(t.net_difference, scale));
    w.end_object();
  }
  w.end_array();
  w.key("seconds").number(seconds);
  w.end_object();
  file.buffer() += "\n";
  return file.close();
}

std::string summary_text(const ReconcileResult& result, const ingest::RecordFile& left,
                         const ingest::RecordFile& right, const fs::path& dir, double seconds) {
  const engine::ReconcileSummary& s = result.summary;
  const int table_scale = left.table.amount_scale;
  std::ostringstream out;
  out << "left records:    " << s.left_records << "  (matched " << s.left_matched << ", suggested "
      << s.left_suggested << ", unmatched " << s.left_unmatched << ", duplicates "
      << s.left_duplicates << ")\n"
      << "right records:   " << s.right_records << "  (matched " << s.right_matched
      << ", suggested " << s.right_suggested << ", unmatched " << s.right_unmatched
      << ", duplicates " << s.right_duplicates << ")\n";
  for (const auto* side : {&left, &right}) {
    if (side->layout.rows_failed == 0) continue;
    out << (side == &left ? "left" : "right") << " rows not read: " << side->layout.rows_failed
        << " (see rejected_" << (side == &left ? "left" : "right") << ".csv)\n";
  }
  out << "groups:          " << s.matched_groups << " matched, " << s.suggested_groups
      << " suggested  (1:1 " << s.one_to_one << ", 1:N " << s.one_to_many << ", N:1 "
      << s.many_to_one << ", offsets " << s.offsets << ")\n";
  for (const engine::CurrencyTotals& t : s.totals) {
    const int scale = scale_of(t.currency, table_scale);
    const std::string label = t.currency.empty() ? "" : t.currency + " ";
    out << "amounts " << label << "   matched " << money(t.matched_left, scale) << " vs "
        << money(t.matched_right, scale) << "; unmatched left " << money(t.unmatched_left, scale)
        << ", right " << money(t.unmatched_right, scale) << "; net difference "
        << money(t.net_difference, scale) << "\n";
  }
  char timing[64];
  std::snprintf(timing, sizeof timing, "%.2f s", seconds);
  out << "written to " << dir.string() << " in " << timing << "\n";
  return out.str();
}

}  // namespace oeuvre
