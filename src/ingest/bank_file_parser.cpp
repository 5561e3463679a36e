#include "ingest/bank_file_parser.h"

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>

#include "bank/bank_file.h"
#include "bank/transaction_spool.h"
#include "core/date.h"
#include "core/json_writer.h"
#include "core/money.h"
#include "csv/byte_source.h"
#include "ingest/amount_parser.h"
#include "ingest/row_source.h"

namespace oeuvre::ingest {

static_assert(bank::kMaxAmountMinor == kMaxAmountMinor,
              "one bound on amounts for tables and statements");

namespace {

// The record fields a bank file fills, in the order the layout and the preview show them.
const std::vector<std::string> kColumns = {"booking_date", "value_date", "amount",     "currency",
                                           "counterparty", "reference",  "description"};

constexpr std::uint64_t kProgressEveryTransactions = 65536;

// A ByteSource over the stored file that counts what it has read (progress) and reports the end of
// the stream once `stop` is set: a preview that has its rows, or a parse whose records the caller
// refused, ends the parser's reading instead of waiting for the rest of a large file.
class StoppableSource final : public csv::ByteSource {
 public:
  explicit StoppableSource(std::unique_ptr<csv::FileByteSource> file) : file_(std::move(file)) {}
  Result<std::size_t> read(char* destination, std::size_t capacity) override {
    if (stop) return std::size_t{0};
    ASSIGN_OR_RETURN(std::size_t n, file_->read(destination, capacity));
    consumed_ += n;
    return n;
  }
  std::size_t size_hint() const override { return file_->size_hint(); }
  double progress() const {
    const std::size_t size = file_->size_hint();
    return size == 0 ? 0.0
                     : std::min(1.0, static_cast<double>(consumed_) / static_cast<double>(size));
  }
  bool stop = false;

 private:
  std::unique_ptr<csv::FileByteSource> file_;
  std::size_t consumed_ = 0;
};

std::string day_text(std::int32_t day) {
  return day == kNoDate ? std::string() : format_iso_date(day);
}

// Turns each transaction into a record and hands batches of them on; row problems become row
// errors. Stops the source when the caller's sink fails or enough records were seen.
class RecordSink final : public bank::StatementSink {
 public:
  RecordSink(const ParseSettings& settings, StoppableSource& source, std::size_t batch_size,
             const std::function<Status(std::span<const ParsedRecord>)>* consumer,
             std::vector<RowError>* errors, const ProgressFn* progress)
      : settings_(settings),
        source_(source),
        batch_size_(batch_size == 0 ? 1 : batch_size),
        consumer_(consumer),
        errors_(errors),
        progress_(progress) {}

  void begin_statement(const bank::StatementInfo& info) override { statement_ = info; }
  void end_statement(const bank::StatementInfo&) override {}

  void transaction(const bank::Transaction& t) override {
    if (!status_.ok() || source_.stop) return;
    ++rows_;
    if (rows_ > settings_.max_records) {
      status_ =
          file_error("has more than " + std::to_string(settings_.max_records) + " transactions");
      source_.stop = true;
      return;
    }
    if (progress_ != nullptr && *progress_ && rows_ % kProgressEveryTransactions == 0) {
      (*progress_)(source_.progress());
    }
    ParsedRecord record;
    if (!to_record(t, record)) return;
    if (consumer_ == nullptr) return;
    batch_.push_back(std::move(record));
    if (batch_.size() >= batch_size_) flush();
  }

  void problem(const bank::RowProblem& p) override {
    if (!status_.ok() || source_.stop) return;
    ++rows_;
    ++failed_;
    keep({p.line, p.location.starts_with("/") ? p.location : std::string(), p.value, p.reason});
  }

  void warning(std::uint64_t line, std::string message) override {
    warnings_.push_back("line " + std::to_string(line) + ": " + std::move(message));
  }

  // Hands on the last batch; the first error the consumer returned, or the parse's own.
  Status finish() {
    if (status_.ok() && !batch_.empty()) flush();
    return status_;
  }

  std::uint64_t rows() const { return rows_; }
  std::uint64_t failed() const { return failed_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  std::vector<ParsedRecord>& kept() { return batch_; }  // preview: the records, unflushed

 private:
  void flush() {
    status_ = (*consumer_)(std::span<const ParsedRecord>(batch_));
    batch_.clear();
    if (!status_.ok()) source_.stop = true;
  }

  void keep(RowError error) {
    if (errors_ != nullptr && errors_->size() < settings_.max_errors_kept)
      errors_->push_back(std::move(error));
  }

  bool to_record(const bank::Transaction& t, ParsedRecord& record) {
    record.line = t.line;
    record.external_id = t.transaction_id;
    const std::int32_t day = t.booking_date != kNoDate ? t.booking_date : t.value_date;
    if (day != kNoDate) record.date_days = day;
    record.currency = t.currency.empty() ? statement_.currency : t.currency;
    if (record.currency.empty()) {
      if (settings_.mapping.default_currency) {
        record.currency = *settings_.mapping.default_currency;
      } else if (!settings_.unknown_currency_scale) {
        ++failed_;
        keep({t.line, "currency", "",
              "the statement does not say its currency; set column_mapping.default_currency"});
        return false;
      }
    }
    record.amount_minor = t.amount_minor;
    record.description = t.description;
    record.reference = t.reference;
    record.counterparty = t.counterparty_name;
    // extra as JSON text, written directly (a JSON object per record costs more than the rest of
    // the record); a bank code never replaces a field of the transaction's own.
    record.extra_json.clear();
    JsonWriter extra(record.extra_json);
    extra.begin_object();
    std::vector<std::string_view>& keys = extra_keys_;
    keys.clear();
    const auto add = [&](std::string_view key, std::string_view value) {
      if (std::find(keys.begin(), keys.end(), key) != keys.end()) return;
      keys.push_back(key);
      extra.key(key).string(value);
    };
    if (t.value_date != kNoDate) add("value_date", day_text(t.value_date));
    if (t.booking_date != kNoDate) add("booking_date", day_text(t.booking_date));
    if (!t.counterparty_account.empty()) add("counterparty_account", t.counterparty_account);
    if (!t.end_to_end_id.empty()) add("end_to_end_id", t.end_to_end_id);
    if (!t.creditor_reference.empty()) add("creditor_reference", t.creditor_reference);
    if (t.reversal) add("reversal", "true");  // extra's values are text, as a table's columns
    if (!t.batch_id.empty()) {
      add("batch_id", t.batch_id);
      add("batch_amount", format_minor_units(t.batch_amount_minor, currency_scale(record.currency)));
    }
    if (!statement_.account.empty()) add("account", statement_.account);
    if (!statement_.statement_id.empty()) add("statement_id", statement_.statement_id);
    for (const auto& [key, value] : t.codes) add(key, value);
    extra.end_object();
    return true;
  }

  const ParseSettings& settings_;
  StoppableSource& source_;
  const std::size_t batch_size_;
  const std::function<Status(std::span<const ParsedRecord>)>* consumer_;
  std::vector<RowError>* errors_;
  const ProgressFn* progress_;
  bank::StatementInfo statement_;
  std::vector<ParsedRecord> batch_;
  std::vector<std::string> warnings_;
  std::vector<std::string_view> extra_keys_;  // to_record's, kept for their capacity
  std::uint64_t rows_ = 0, failed_ = 0;
  Status status_ = OkStatus();
};

Result<std::unique_ptr<StoppableSource>> open_source(const std::string& path) {
  ASSIGN_OR_RETURN(auto file, csv::FileByteSource::open(path));
  return std::make_unique<StoppableSource>(std::move(file));
}

class BankFileParser final : public FileParser {
 public:
  // `spooled`: `path` is a spool of the file's transactions (bank/transaction_spool.h), played
  // back instead of parsed.
  BankFileParser(std::string path, bank::BankFormat format, ParseSettings settings, bool spooled)
      : path_(std::move(path)), format_(format), settings_(std::move(settings)), spooled_(spooled) {}

  Result<FileLayout> analyse(const ProgressFn& progress) override {
    return analyse(0, nullptr, progress);
  }

  Result<FileLayout> analyse(std::size_t batch_size,
                             const std::function<Status(std::span<const ParsedRecord>)>& sink,
                             const ProgressFn& progress) override {
    errors_.clear();
    layout_ = FileLayout{};
    layout_.format = std::string(bank::format_name(format_));
    layout_.header = kColumns;
    ASSIGN_OR_RETURN(auto source, open_source(path_));
    RecordSink records(settings_, *source, batch_size, sink ? &sink : nullptr, &errors_, &progress);
    bank::SummarisingSink summary(&records);
    const Status parsed = read(*source, summary);
    RETURN_IF_ERROR(records.finish());
    RETURN_IF_ERROR(parsed);
    if (summary.statements().empty()) return file_error("holds no bank statement");
    layout_.rows = records.rows();
    layout_.rows_failed = records.failed();
    layout_.statements = summary.statements().size();
    layout_.warnings = summary.warnings();
    analysed_ = true;
    return layout_;
  }

  const FileLayout& layout() const override { return layout_; }
  const std::vector<RowError>& errors() const override { return errors_; }

  Status read_records(std::size_t batch_size,
                      const std::function<Status(std::span<const ParsedRecord>)>& sink,
                      const ProgressFn& progress) override {
    if (!analysed_) return Error::Internal("read_records() before a successful analyse()");
    ASSIGN_OR_RETURN(auto source, open_source(path_));
    RecordSink records(settings_, *source, batch_size, &sink, nullptr, &progress);
    const Status parsed = read(*source, records);
    RETURN_IF_ERROR(records.finish());
    return parsed;
  }

 private:
  Status read(csv::ByteSource& source, bank::StatementSink& sink) const {
    return spooled_ ? bank::replay_transaction_spool(source, format_, sink)
                    : bank::parse_bank_statement(format_, source, sink);
  }

  std::string path_;
  bank::BankFormat format_;
  ParseSettings settings_;
  FileLayout layout_;
  std::vector<RowError> errors_;
  const bool spooled_;
  bool analysed_ = false;
};

}  // namespace

std::unique_ptr<FileParser> make_bank_file_parser(std::string path, bank::BankFormat format,
                                                  ParseSettings settings) {
  return std::make_unique<BankFileParser>(std::move(path), format, std::move(settings), false);
}

Result<std::unique_ptr<FileParser>> make_spooled_bank_file_parser(std::string spool_path,
                                                                  ParseSettings settings) {
  ASSIGN_OR_RETURN(bank::BankFormat format, bank::spool_format(spool_path));
  return std::unique_ptr<FileParser>(
      std::make_unique<BankFileParser>(std::move(spool_path), format, std::move(settings), true));
}

Result<Preview> preview_bank_file(const std::string& path, bank::BankFormat format,
                                  const ParseSettings& settings, std::size_t max_rows) {
  Preview preview;
  preview.layout.format = std::string(bank::format_name(format));
  preview.layout.header = kColumns;
  ASSIGN_OR_RETURN(auto source, open_source(path));
  std::vector<RowError> errors;
  std::vector<ParsedRecord> records;
  const std::function<Status(std::span<const ParsedRecord>)> keep =
      [&](std::span<const ParsedRecord> batch) -> Status {
    records.insert(records.end(), batch.begin(), batch.end());
    if (records.size() + errors.size() >= max_rows) source->stop = true;
    return OkStatus();
  };
  RecordSink sink(settings, *source, 1, &keep, &errors, nullptr);
  const Status parsed = bank::parse_bank_statement(format, *source, sink);
  RETURN_IF_ERROR(sink.finish());
  // Stopped early, a parser may complain of the file's end: the rows read are what a preview needs.
  if (!parsed.ok() && !source->stop) return parsed.error();
  std::size_t next_error = 0;
  for (const ParsedRecord& r : records) {
    while (next_error < errors.size() && errors[next_error].line < r.line &&
           preview.rows.size() < max_rows) {
      PreviewRow& bad = preview.rows.emplace_back();
      bad.cells.assign(kColumns.size(), "");  // a transaction that could not be read shows none
      bad.line = errors[next_error].line;
      bad.errors.push_back(errors[next_error++]);
      ++preview.layout.rows_failed;
    }
    if (preview.rows.size() >= max_rows) break;
    PreviewRow& row = preview.rows.emplace_back();
    row.line = r.line;
    boost::system::error_code ec;
    const boost::json::value extra = boost::json::parse(r.extra_json, ec);
    const auto field = [&](const char* key) -> std::string {
      if (ec || !extra.is_object()) return "";
      const auto* v = extra.as_object().if_contains(key);
      return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    row.cells = {field("booking_date"),
                 field("value_date"),
                 format_minor_units(r.amount_minor, currency_scale(r.currency)),
                 r.currency,
                 r.counterparty,
                 r.reference,
                 r.description};
    row.record = r;
  }
  while (next_error < errors.size() && preview.rows.size() < max_rows) {
    PreviewRow& bad = preview.rows.emplace_back();
    bad.cells.assign(kColumns.size(), "");
    bad.line = errors[next_error].line;
    bad.errors.push_back(errors[next_error++]);
    ++preview.layout.rows_failed;
  }
  preview.layout.rows = preview.rows.size();
  return preview;
}

}  // namespace oeuvre::ingest
