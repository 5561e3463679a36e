#include "ingest/file_parser.h"

#include <algorithm>
#include <array>

#include "bank/bank_file.h"
#include "ingest/bank_file_parser.h"
#include "ingest/column_indexes.h"
#include "ingest/csv_row_source.h"
#include "ingest/file_sniffer.h"
#include "ingest/json_row_source.h"
#include "ingest/row_parser.h"
#include "ingest/row_source.h"

namespace oeuvre::ingest {
namespace {

constexpr std::uint64_t kProgressEveryRows = 65536;
constexpr std::size_t kMaxPreviewRows = 10'000;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Checks (and upper-cases) what the settings carry beyond header names.
Status normalize_settings(ParseSettings& settings) {
  if (settings.mapping.default_currency) {
    std::string& code = *settings.mapping.default_currency;
    bool ok = code.size() == 3;
    for (char& c : code) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      ok = ok && c >= 'A' && c <= 'Z';
    }
    if (!ok) {
      return Error::Validation("column_mapping.default_currency",
                               "must be an ISO 4217 currency code: three letters such as EUR");
    }
  }
  if (settings.unknown_currency_scale &&
      (*settings.unknown_currency_scale < 0 || *settings.unknown_currency_scale > 6)) {
    return Error::Validation("scale", "must be 0 to 6 digits");
  }
  if (settings.max_records == 0) settings.max_records = 1;
  return OkStatus();
}

Error too_many_rows(std::size_t max_records) {
  return file_error("has more than " + std::to_string(max_records) + " rows");
}

Error no_objects(FileFormat format) {
  return file_error(format == FileFormat::kJsonArray
                        ? "holds no JSON objects; expected an array of objects such as "
                          "[{\"date\": \"2024-03-05\", \"amount\": \"12.50\"}]"
                        : "holds no JSON objects; expected JSON Lines: one object such as "
                          "{\"date\": \"2024-03-05\", \"amount\": \"12.50\"} per line");
}

// Maps the header, the settings' names first. A header problem is a problem of the file.
Result<ColumnIndexes> resolve_mapping(const std::vector<std::string>& header,
                                      const ParseSettings& settings) {
  std::vector<std::string_view> views(header.begin(), header.end());
  const bool amount_optional =
      settings.amount_optional || settings.mapping.amount_optional.value_or(false);
  auto mapping = map_columns(views, settings.mapping.columns, !amount_optional);
  if (mapping.ok()) return mapping;
  std::vector<FieldError> errors = mapping.error().field_errors();
  for (FieldError& e : errors) {
    if (e.field == "header") {
      e.field = "file";
      e.message = "header: " + e.message;
    }
  }
  return Error::Validation(std::move(errors));
}

// The date order and decimal separator the settings fix (nullopt: decided from the data).
std::optional<DateOrder> fixed_date_order(const ParseSettings& settings) {
  const auto& format = settings.mapping.date_format;
  return format ? date_order_of(*format) : std::nullopt;
}
std::optional<DecimalSeparator> fixed_separator(const ParseSettings& settings) {
  const auto& separator = settings.mapping.decimal_separator;
  if (!separator || *separator == DecimalSeparator::kAuto) return std::nullopt;
  return separator;
}

// The row parser's layout before the data has decided anything.
RowLayout initial_row_layout(const std::vector<std::string>& header, const ColumnIndexes& mapping,
                             const ParseSettings& settings) {
  RowLayout row_layout;
  row_layout.header = header;
  row_layout.columns = mapping;
  row_layout.default_currency = settings.mapping.default_currency;
  row_layout.unknown_currency_scale = settings.unknown_currency_scale;
  row_layout.date_order = fixed_date_order(settings);
  return row_layout;
}

void describe_mapping(const std::vector<std::string>& header, const ColumnIndexes& m,
                      FileLayout& layout) {
  layout.header = header;
  layout.mapping.clear();
  const std::array<std::pair<const char*, std::optional<std::size_t>>, 10> fields = {{
      {"date", m.date},
      {"amount", m.amount},
      {"debit", m.debit},
      {"credit", m.credit},
      {"currency", m.currency},
      {"reference", m.reference},
      {"description", m.description},
      {"counterparty", m.counterparty},
      {"external_id", m.id},
      {"credit_debit_indicator", m.credit_debit_indicator},
  }};
  for (const auto& [field, column] : fields) {
    if (column && *column < header.size()) layout.mapping.emplace_back(field, header[*column]);
  }
  layout.has_amounts = m.amount || (m.debit && m.credit);
}

// What the data says about the date order and the decimal separator.
class Evidence {
 public:
  explicit Evidence(const ColumnIndexes& mapping) : m_(mapping) {}

  void observe(const SourceRow& row) {
    if (!row.problem.empty()) return;
    if (m_.date && *m_.date < row.cells.size()) {
      const std::string_view text = trim(row.cells[*m_.date].text);
      if (!text.empty() && row.cells[*m_.date].kind != CellKind::kNested) {
        if (auto parts = split_date_unquoted(text); parts.ok()) {
          dates_.observe(*parts, row.line);
          if (parts->shape == DateParts::Shape::kNumeric && parts->separator != '.' &&
              undotted_line_ == 0) {
            undotted_line_ = row.line;
          }
        }
      }
    }
    for (const auto& column : {m_.amount, m_.debit, m_.credit}) {
      if (column && *column < row.cells.size() && row.cells[*column].kind == CellKind::kText) {
        separators_.observe(row.cells[*column].text);
      }
    }
  }

  DecimalSeparator separator() const { return separators_.decide(); }

  // The date order, or why the dates cannot tell it.
  Result<DateOrder> date_order() const {
    if (dates_.day_first_line() != 0 && dates_.month_first_line() != 0) {
      return Error::BadRequest(
          "the dates mix day/month/year (line " + std::to_string(dates_.day_first_line()) +
          ") and month/day/year (line " + std::to_string(dates_.month_first_line()) +
          "); set column_mapping.date_format to the order the file uses (\"dd/mm/yyyy\" or "
          "\"mm/dd/yyyy\") and the other rows will be reported");
    }
    if (dates_.has_evidence()) return *dates_.decide();
    if (dates_.first_numeric_line() != 0) {
      // dd.mm.yyyy is a day-first convention; nobody writes mm.dd.yyyy.
      if (undotted_line_ == 0) return DateOrder::kDayMonthYear;
      return Error::BadRequest(
          "no date tells whether it is day/month/year or month/day/year (no number above 12, "
          "e.g. line " +
          std::to_string(undotted_line_) +
          "); set column_mapping.date_format to \"dd/mm/yyyy\" or \"mm/dd/yyyy\"");
    }
    return DateOrder::kYearMonthDay;  // only unambiguous dates: the order does not matter
  }

 private:
  const ColumnIndexes& m_;
  DateOrderDetector dates_;
  std::uint64_t undotted_line_ = 0;  // first numeric date not written dd.mm.yyyy
  DecimalSeparatorVotes separators_;
};

Result<std::unique_ptr<RowSource>> open_csv(const std::string& path, const SniffedFile& sniffed,
                                            FileLayout* layout) {
  ASSIGN_OR_RETURN(auto csv, CsvRowSource::open(path, sniffed));
  if (layout != nullptr) layout->delimiter = csv->delimiter();
  return std::unique_ptr<RowSource>(std::move(csv));
}

class FileParserImpl final : public FileParser {
 public:
  FileParserImpl(std::string path, Result<SniffedFile> sniffed, ParseSettings settings)
      : path_(std::move(path)), sniffed_(std::move(sniffed)), settings_(std::move(settings)) {}

  Result<FileLayout> analyse(const ProgressFn& progress) override {
    return analyse(0, nullptr, progress);
  }
  Result<FileLayout> analyse(std::size_t batch_size,
                             const std::function<Status(std::span<const ParsedRecord>)>& sink,
                             const ProgressFn& progress) override;
  const FileLayout& layout() const override { return layout_; }
  const std::vector<RowError>& errors() const override { return errors_; }
  Status read_records(std::size_t batch_size,
                      const std::function<Status(std::span<const ParsedRecord>)>& sink,
                      const ProgressFn& progress) override;

 private:
  void keep(std::vector<RowError>& row_errors) {
    for (RowError& e : row_errors) {
      if (errors_.size() >= settings_.max_errors_kept) break;
      errors_.push_back(std::move(e));
    }
    row_errors.clear();
  }

  std::string path_;
  Result<SniffedFile> sniffed_;
  ParseSettings settings_;
  FileLayout layout_;
  std::optional<RowLayout> row_layout_;  // set by a successful analyse()
  std::vector<RowError> errors_;
};

Result<FileLayout> FileParserImpl::analyse(
    std::size_t batch_size, const std::function<Status(std::span<const ParsedRecord>)>& sink,
    const ProgressFn& progress) {
  row_layout_.reset();
  errors_.clear();
  layout_ = FileLayout{};
  if (!sniffed_.ok()) return sniffed_.error();
  RETURN_IF_ERROR(normalize_settings(settings_));
  const SniffedFile& sniffed = *sniffed_;
  const bool json = sniffed.format != FileFormat::kCsv;
  layout_.format = std::string(format_name(sniffed.format));

  int passes = 1, pass = 0;
  auto report = [&](const RowSource& source, std::uint64_t rows) {
    if (progress && rows % kProgressEveryRows == 0) {
      progress((pass + source.progress()) / passes);
    }
  };
  SourceRow row;
  std::vector<std::string> header;
  std::unique_ptr<RowSource> first_source;  // CSV: the source that read the header
  if (json) {
    passes = 3;
    ASSIGN_OR_RETURN(auto discovery, JsonRowSource::open(path_, sniffed, {}, true));
    std::uint64_t rows = 0;
    for (;;) {
      ASSIGN_OR_RETURN(bool more, discovery->next(row));
      if (!more) break;
      if (++rows > settings_.max_records) return too_many_rows(settings_.max_records);
      report(*discovery, rows);
    }
    if (rows > 0 && discovery->objects() == 0) return no_objects(sniffed.format);
    header = discovery->header();
    ++pass;
    if (rows == 0) {  // "[]": a table without rows
      layout_.header = header;
      row_layout_ = RowLayout{};
      if (progress) progress(1.0);
      return layout_;
    }
  } else {
    passes = 2;
    ASSIGN_OR_RETURN(first_source, open_csv(path_, sniffed, &layout_));
    header = first_source->header();
  }
  auto open_source = [&]() -> Result<std::unique_ptr<RowSource>> {
    if (first_source) return std::move(first_source);
    if (json) {
      ASSIGN_OR_RETURN(auto source, JsonRowSource::open(path_, sniffed, header, false));
      return std::unique_ptr<RowSource>(std::move(source));
    }
    return open_csv(path_, sniffed, nullptr);
  };

  ASSIGN_OR_RETURN(ColumnIndexes mapping, resolve_mapping(header, settings_));
  describe_mapping(header, mapping, layout_);
  RowLayout row_layout = initial_row_layout(header, mapping, settings_);
  row_layout.decimal_separator = fixed_separator(settings_).value_or(DecimalSeparator::kDot);

  // Pass A: what the whole file says about date order and decimal separator.
  const bool decide_dates = mapping.date && !row_layout.date_order;
  const bool decide_separator = !fixed_separator(settings_) && layout_.has_amounts;
  if (decide_dates || decide_separator) {
    Evidence evidence(mapping);
    ASSIGN_OR_RETURN(auto source, open_source());
    std::uint64_t rows = 0;
    for (;;) {
      ASSIGN_OR_RETURN(bool more, source->next(row));
      if (!more) break;
      if (++rows > settings_.max_records) return too_many_rows(settings_.max_records);
      evidence.observe(row);
      report(*source, rows);
    }
    if (decide_dates) {
      auto order = evidence.date_order();
      if (!order.ok()) return file_error(order.error().message());
      row_layout.date_order = *order;
    }
    if (decide_separator) row_layout.decimal_separator = evidence.separator();
    ++pass;
  } else {
    passes -= 1;
  }
  if (!row_layout.date_order) row_layout.date_order = DateOrder::kYearMonthDay;  // no date column
  layout_.date_order = *row_layout.date_order;
  layout_.decimal_separator = row_layout.decimal_separator;

  // Pass B: every row through the parser (and the good ones to the sink, if any).
  RowParser parser(row_layout);
  std::vector<RowError> row_errors;
  std::vector<ParsedRecord> batch;
  std::size_t filled = 0;
  batch_size = std::max<std::size_t>(batch_size, 1);
  std::uint64_t rows = 0, failed = 0, unusable = 0;
  ASSIGN_OR_RETURN(auto source, open_source());
  for (;;) {
    ASSIGN_OR_RETURN(bool more, source->next(row));
    if (!more) break;
    if (++rows > settings_.max_records) return too_many_rows(settings_.max_records);
    if (!row.problem.empty()) ++unusable;
    ParsedRecord* record = nullptr;
    if (sink) {
      if (filled == batch.size()) batch.emplace_back();
      record = &batch[filled];
    }
    if (!parser.parse(row, record, row_errors)) {
      ++failed;
      keep(row_errors);
    } else if (sink && ++filled == batch_size) {
      RETURN_IF_ERROR(sink(std::span<const ParsedRecord>(batch.data(), filled)));
      filled = 0;
    }
    report(*source, rows);
  }
  if (filled > 0) RETURN_IF_ERROR(sink(std::span<const ParsedRecord>(batch.data(), filled)));
  if (!json && rows > 0 && unusable == rows) {
    return file_error("no row has as many fields as the header (" + std::to_string(header.size()) +
                      "): is the first line really the header, and the delimiter right?");
  }
  layout_.rows = rows;
  layout_.rows_failed = failed;
  row_layout_ = std::move(row_layout);
  if (progress) progress(1.0);
  return layout_;
}

Status FileParserImpl::read_records(
    std::size_t batch_size, const std::function<Status(std::span<const ParsedRecord>)>& sink,
    const ProgressFn& progress) {
  if (!row_layout_) return Error::Internal("read_records() needs a successful analyse() first");
  const std::uint64_t expected = layout_.rows - layout_.rows_failed;
  if (layout_.rows == 0) {
    if (progress) progress(1.0);
    return OkStatus();
  }
  const SniffedFile& sniffed = *sniffed_;
  std::unique_ptr<RowSource> source;
  if (sniffed.format == FileFormat::kCsv) {
    ASSIGN_OR_RETURN(source, open_csv(path_, sniffed, nullptr));
  } else {
    ASSIGN_OR_RETURN(auto json, JsonRowSource::open(path_, sniffed, layout_.header, false));
    source = std::move(json);
  }
  RowParser parser(*row_layout_);
  batch_size = std::max<std::size_t>(batch_size, 1);
  std::vector<ParsedRecord> batch;
  std::vector<RowError> row_errors;
  std::size_t filled = 0;
  std::uint64_t rows = 0, yielded = 0;
  SourceRow row;
  for (;;) {
    ASSIGN_OR_RETURN(bool more, source->next(row));
    if (!more) break;
    if (++rows > layout_.rows) break;
    if (filled == batch.size()) batch.emplace_back();
    if (parser.parse(row, &batch[filled], row_errors)) {
      ++filled;
      ++yielded;
    } else {
      row_errors.clear();
    }
    if (filled == batch_size) {
      RETURN_IF_ERROR(sink(std::span<const ParsedRecord>(batch.data(), filled)));
      filled = 0;
    }
    if (progress && rows % kProgressEveryRows == 0) progress(source->progress());
  }
  if (filled > 0) RETURN_IF_ERROR(sink(std::span<const ParsedRecord>(batch.data(), filled)));
  if (rows != layout_.rows || yielded != expected) {
    return Error::Internal("the file changed between analyse() and read_records()");
  }
  if (progress) progress(1.0);
  return OkStatus();
}

// Rows kept by a preview, owning their text.
struct OwnedRow {
  std::uint64_t line = 0;
  std::vector<std::string> texts;
  std::vector<CellKind> kinds;
  std::string problem, problem_value;
};

}  // namespace

Result<std::unique_ptr<FileParser>> FileParser::open(std::string path, std::string filename,
                                                     std::string content_type,
                                                     ParseSettings settings) {
  ASSIGN_OR_RETURN(std::optional<bank::BankFormat> bank_format, bank::detect_bank_file(path));
  if (bank_format) {
    RETURN_IF_ERROR(normalize_settings(settings));
    return make_bank_file_parser(std::move(path), *bank_format, std::move(settings));
  }
  auto sniffed = sniff_file(path, filename, content_type);
  if (!sniffed.ok() && sniffed.error().code() != ErrorCode::kValidation) {
    return sniffed.error();  // cannot read the file at all
  }
  return std::unique_ptr<FileParser>(
      new FileParserImpl(std::move(path), std::move(sniffed), std::move(settings)));
}

Result<Preview> preview_file(const std::string& path, const std::string& filename,
                             const std::string& content_type, const ParseSettings& given,
                             std::size_t max_rows) {
  ParseSettings settings = given;
  RETURN_IF_ERROR(normalize_settings(settings));
  max_rows = std::min(max_rows, kMaxPreviewRows);
  ASSIGN_OR_RETURN(std::optional<bank::BankFormat> bank_format, bank::detect_bank_file(path));
  if (bank_format) return preview_bank_file(path, *bank_format, settings, max_rows);
  ASSIGN_OR_RETURN(SniffedFile sniffed, sniff_file(path, filename, content_type));
  Preview preview;
  preview.layout.format = std::string(format_name(sniffed.format));
  std::unique_ptr<RowSource> source;
  JsonRowSource* json = nullptr;
  if (sniffed.format == FileFormat::kCsv) {
    ASSIGN_OR_RETURN(source, open_csv(path, sniffed, &preview.layout));
  } else {
    ASSIGN_OR_RETURN(auto opened, JsonRowSource::open(path, sniffed, {}, true));
    json = opened.get();
    source = std::move(opened);
  }
  std::vector<OwnedRow> owned;
  SourceRow row;
  while (owned.size() < max_rows) {
    ASSIGN_OR_RETURN(bool more, source->next(row));
    if (!more) break;
    OwnedRow& o = owned.emplace_back();
    o.line = row.line;
    o.problem = row.problem;
    o.problem_value = row.problem_value;
    for (const Cell& c : row.cells) {
      o.texts.emplace_back(c.text);
      o.kinds.push_back(c.kind);
    }
  }
  const std::vector<std::string> header = source->header();
  if (json != nullptr && !owned.empty() && json->objects() == 0) return no_objects(sniffed.format);
  if (json != nullptr && owned.empty()) {
    preview.layout.header = header;
    return preview;
  }
  ASSIGN_OR_RETURN(ColumnIndexes mapping, resolve_mapping(header, settings));
  describe_mapping(header, mapping, preview.layout);

  // Views of the kept rows, padded to the final header (JSON keys seen in later rows).
  std::vector<SourceRow> rows(owned.size());
  for (std::size_t i = 0; i < owned.size(); ++i) {
    OwnedRow& o = owned[i];
    o.texts.resize(header.size());
    o.kinds.resize(header.size(), CellKind::kMissing);
    rows[i].line = o.line;
    rows[i].problem = o.problem;
    rows[i].problem_value = o.problem_value;
    for (std::size_t c = 0; c < header.size(); ++c)
      rows[i].cells.push_back(Cell{o.texts[c], o.kinds[c]});
  }

  RowLayout row_layout = initial_row_layout(header, mapping, settings);
  Evidence evidence(mapping);
  for (const SourceRow& r : rows) evidence.observe(r);
  if (!row_layout.date_order) {
    if (!mapping.date) {
      row_layout.date_order = DateOrder::kYearMonthDay;
    } else if (auto order = evidence.date_order(); order.ok()) {
      row_layout.date_order = *order;
    } else {
      row_layout.undecided_dates = "cannot tell day/month/year from month/day/year in the first " +
                                   std::to_string(rows.size()) +
                                   " rows; set column_mapping.date_format";
    }
  }
  row_layout.decimal_separator = fixed_separator(settings).value_or(evidence.separator());
  preview.layout.date_order = row_layout.date_order.value_or(DateOrder::kYearMonthDay);
  preview.layout.decimal_separator = row_layout.decimal_separator;

  RowParser parser(row_layout);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    PreviewRow& p = preview.rows.emplace_back();
    p.line = rows[i].line;
    ParsedRecord record;
    if (parser.parse(rows[i], &record, p.errors)) {
      p.record = std::move(record);
    } else {
      ++preview.layout.rows_failed;
    }
    p.cells = std::move(owned[i].texts);
  }
  preview.layout.rows = preview.rows.size();
  return preview;
}

}  // namespace oeuvre::ingest
