#include "services/file_service.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>
#include <system_error>

#include "bank/bank_file.h"
#include "bank/statement_summary.h"
#include "bank/transaction_spool.h"
#include "core/date.h"
#include "core/money.h"
#include "core/utf8.h"
#include "ingest/column_mapping.h"
#include "services/audit_trail.h"
#include "services/project_access.h"
#include "store/data_source_repository.h"
#include "store/result_repository.h"
#include "store/statement_repository.h"
#include "store/transaction.h"

namespace oeuvre::services {

namespace {

Error duplicate(const store::StoredFile& first) {
  return Error::Conflict("this file was already uploaded to this data source (file " +
                         first.id.to_string() + ")")
      .with_member("file_id", first.id.to_string());
}

// OK when the data source was found (active, in an active project) and the actor reaches its
// project; else 404.
Status require_reachable(const security::Actor& actor,
                         const std::optional<store::DataSourceScope>& scope) {
  if (!scope) return Error::NotFound("data source not found");
  return security::require_project_access(actor, scope->owner_id, "data source");
}

// The file, when the actor may reach its project; else 404.
Result<store::StoredFile> load_accessible(store::Connection& conn, const security::Actor& actor,
                                          const Uuid& id) {
  ASSIGN_OR_RETURN(std::optional<store::StoredFile> file, store::FileRepository::find(conn, id));
  if (!file) return Error::NotFound("file not found");
  RETURN_IF_ERROR(require_project(conn, actor, file->project_id, "file"));
  return std::move(*file);
}

// A bank statement file's statements as they will be stored: read through once at upload (the
// parse that makes records comes later, in the background), so that a statement already uploaded
// is refused before anything is kept. Empty for a file that is not a bank statement. Fails
// (kValidation) when the file is a bank format but cannot be read as one.
// `head` and `body` both read the file from its start: `head` to recognise the format. With a
// `spool_path`, the transactions are spooled there too (a full read, not a summary's);
// `*spooled` says whether that spool is complete (an incomplete one is removed).
Result<std::vector<store::StoredStatement>> read_statements(csv::ByteSource& head_source,
                                                            csv::ByteSource& body,
                                                            const std::string& spool_path = "",
                                                            bool* spooled = nullptr) {
  ASSIGN_OR_RETURN(const std::string head, csv::read_prefix(head_source, bank::kSniffBytes));
  const std::optional<bank::BankFormat> format = bank::detect_bank_format(head);
  if (!format) return std::vector<store::StoredStatement>{};
  std::unique_ptr<bank::TransactionSpoolWriter> spool;
  if (!spool_path.empty()) {
    auto created = bank::TransactionSpoolWriter::create(spool_path, *format);
    if (created.ok()) spool = std::move(created).value();
  }
  bank::SummarisingSink summary(spool.get());
  const Status parsed = bank::parse_bank_statement(*format, body, summary);
  if (spool) {
    const bool complete = spool->finish().ok() && parsed.ok();
    if (!complete) {
      std::error_code ec;
      std::filesystem::remove(spool_path, ec);
    }
    if (spooled != nullptr) *spooled = complete;
  }
  RETURN_IF_ERROR(parsed);
  if (summary.statements().empty()) return Error::Validation("file", "holds no bank statement");
  std::vector<store::StoredStatement> statements;
  const auto day = [](std::int32_t d) -> std::optional<std::chrono::sys_days> {
    if (d == kNoDate) return std::nullopt;
    return std::chrono::sys_days{std::chrono::days{d}};
  };
  for (const bank::StatementSummary& summarised : summary.statements()) {
    const bank::StatementInfo& info = summarised.info;
    store::StoredStatement& s = statements.emplace_back();
    s.id = Uuid::generate_v4();
    s.position = static_cast<std::int64_t>(statements.size() - 1);
    s.format = std::string(bank::format_name(*format));
    s.account = info.account;
    s.currency = info.currency;
    s.statement_id = info.statement_id;
    s.sequence = info.sequence;
    s.message_id = info.message_id;
    s.period_start = day(info.period_start);
    s.period_end = day(info.period_end);
    boost::json::array balances;
    for (const bank::Balance& b : info.balances) {
      balances.push_back(
          {{"type", b.type},
           {"code", b.code},
           {"amount", format_minor_units(b.amount_minor, currency_scale(b.currency))},
           {"amount_minor", b.amount_minor},
           {"currency", b.currency},
           {"date", b.date == kNoDate ? boost::json::value(nullptr)
                                      : boost::json::value(format_iso_date(b.date))}});
    }
    s.balances_json = boost::json::serialize(balances);
    if (const bank::Balance* opening = info.balance("opening")) {
      s.opening_minor = opening->amount_minor;
      s.opening_date = day(opening->date);
    }
    if (const bank::Balance* closing = info.balance("closing")) {
      s.closing_minor = closing->amount_minor;
      s.closing_date = day(closing->date);
    }
    s.transactions = static_cast<std::int64_t>(summarised.transactions);
    s.problems = static_cast<std::int64_t>(summarised.problems);
    s.transactions_sum_minor = summarised.transactions_sum;
    s.balance_difference_minor = summarised.balance_difference;
    if (!summarised.warning.empty()) s.warning = summarised.warning;
    s.identity = summarised.identity;
    s.fingerprint = summarised.fingerprint;
  }
  return statements;
}

Result<std::vector<store::StoredStatement>> read_statements(const std::string& path) {
  ASSIGN_OR_RETURN(auto head, csv::FileByteSource::open(path));
  ASSIGN_OR_RETURN(auto body, csv::FileByteSource::open(path));
  return read_statements(*head, *body);
}

// kConflict naming the first of `statements` the data source already holds.
Status refuse_repeated_statements(store::Connection& conn, const Uuid& data_source_id,
                                  const std::vector<store::StoredStatement>& statements) {
  for (const store::StoredStatement& s : statements) {
    ASSIGN_OR_RETURN(
        std::optional<store::RepeatedStatement> repeat,
        store::StatementRepository::find_repeat(conn, data_source_id, s.identity, s.fingerprint));
    if (!repeat) continue;
    std::string what =
        s.statement_id.empty() ? std::string("a statement") : "statement " + s.statement_id;
    if (!s.account.empty()) what += " of account " + s.account;
    return Error::Conflict(
               what + " was already uploaded to this data source (file " +
               repeat->file_id.to_string() +
               "); a statement is refused when its account and statement id, or its balances and "
               "transactions, repeat one already uploaded")
        .with_member("file_id", repeat->file_id.to_string());
  }
  return OkStatus();
}

// kConflict naming the confirmed matches that hold `held` (some of the file's records): re-parsing
// would delete records reviewed work stands on.
// (A store failure looking them up is the error instead.)
// How many of the matches a refused re-parse names (and of the held records it looks them up by).
constexpr std::int64_t kNamed = 5;

Error refuse_matched(store::Connection& conn, const store::StoredFile& file,
                     const std::vector<Uuid>& held) {
  std::vector<Uuid> matches;
  for (const Uuid& record : held) {
    auto holding = store::ResultRepository::matches_holding(conn, file.project_id, record, kNamed);
    if (!holding.ok()) return std::move(holding).error();
    for (const Uuid& m : *holding) {
      if (std::find(matches.begin(), matches.end(), m) == matches.end() &&
          matches.size() < static_cast<std::size_t>(kNamed))
        matches.push_back(m);
    }
  }
  std::string which;
  for (const Uuid& m : matches) which += (which.empty() ? "" : ", ") + m.to_string();
  std::string detail =
      "records of this file are held by confirmed matches" +
      (which.empty() ? std::string()
                     : " (" + which + (matches.size() == kNamed ? ", ..." : "") + ")") +
      "; re-parsing would delete them and silently undo that review. Undo those matches first "
      "(DELETE /api/v1/matches/{id}, or reject their confirmed results), then re-parse";
  Error error = Error::Conflict(std::move(detail));
  if (!matches.empty()) error.with_member("match_id", matches.front().to_string());
  return error;
}

// StatementRead's running now, process-wide.
std::atomic<int> running_statement_reads{0};

}  // namespace

struct StatementRead::State {
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;
  bool abandoned = false;  // the StatementRead is gone: the thread removes its spool
  Result<std::vector<store::StoredStatement>> result = std::vector<store::StoredStatement>{};
  std::string spool;  // the complete spool, until kept or removed
};

std::string statement_spool_path(const std::string& spool_dir, const Uuid& file_id) {
  return spool_dir + "/" + file_id.to_string() + ".txspool";
}

std::unique_ptr<StatementRead> StatementRead::start(std::unique_ptr<csv::ByteSource> head,
                                                    std::unique_ptr<csv::ByteSource> body,
                                                    const std::string& spool_dir) {
  if (running_statement_reads.fetch_add(1) >= kMaxRunning) {
    running_statement_reads.fetch_sub(1);
    return nullptr;
  }
  auto state = std::make_shared<State>();
  // Named apart from the stored files' spools until the upload is stored (keep_spool).
  std::string spool =
      spool_dir.empty() ? "" : spool_dir + "/" + Uuid::generate_v4().to_string() + ".partial";
  try {
    std::thread([state, head = std::move(head), body = std::move(body), spool = std::move(spool)] {
      bool spooled = false;
      auto result = read_statements(*head, *body, spool, &spooled);
      bool remove_spool = false;
      {
        std::lock_guard lock(state->mu);
        state->result = std::move(result);
        if (spooled) state->spool = spool;
        remove_spool = spooled && state->abandoned;
        state->done = true;
      }
      if (remove_spool) {
        std::error_code ec;
        std::filesystem::remove(spool, ec);
      }
      state->done_cv.notify_all();
      running_statement_reads.fetch_sub(1);
    }).detach();
  } catch (const std::system_error&) {  // no thread to be had: read when the body is in
    running_statement_reads.fetch_sub(1);
    return nullptr;
  }
  return std::unique_ptr<StatementRead>(new StatementRead(std::move(state)));
}

StatementRead::~StatementRead() {
  std::string spool;
  {
    std::lock_guard lock(state_->mu);
    state_->abandoned = true;
    if (state_->done) spool = std::move(state_->spool);
  }
  if (!spool.empty()) {
    std::error_code ec;
    std::filesystem::remove(spool, ec);
  }
}

Result<std::vector<store::StoredStatement>> StatementRead::wait() {
  std::unique_lock lock(state_->mu);
  state_->done_cv.wait(lock, [&] { return state_->done; });
  return std::move(state_->result);
}

void StatementRead::keep_spool(const std::string& destination) {
  std::string spool;
  {
    std::lock_guard lock(state_->mu);
    if (!state_->done) return;
    spool = std::move(state_->spool);
    state_->spool.clear();
  }
  if (spool.empty()) return;
  std::error_code ec;
  std::filesystem::rename(spool, destination, ec);
  if (ec) std::filesystem::remove(spool, ec);  // the parse reads the file instead
}

Status FileService::check_upload(const security::Actor& actor, const Uuid& data_source_id) {
  ASSIGN_OR_RETURN(std::optional<store::DataSourceScope> scope,
                   store::with_connection(db_, [&](store::Connection& conn) {
                     return store::FileRepository::data_source_scope(conn, data_source_id);
                   }));
  return require_reachable(actor, scope);
}

Result<store::StoredFile> FileService::upload(const security::Actor& actor,
                                              const Uuid& data_source_id,
                                              const IncomingFile& incoming,
                                              const RequestMeta& meta) {
  ASSIGN_OR_RETURN(
      std::optional<store::DataSourceScope> scope,
      store::with_connection(
          db_, [&](store::Connection& conn) -> Result<std::optional<store::DataSourceScope>> {
            ASSIGN_OR_RETURN(auto found,
                             store::FileRepository::data_source_scope(conn, data_source_id));
            if (found) {
              ASSIGN_OR_RETURN(auto first, store::FileRepository::find_by_sha256(
                                               conn, data_source_id, incoming.sha256));
              if (first && security::can_access_project(actor, found->owner_id))
                return duplicate(*first);
            }
            return found;
          }));
  RETURN_IF_ERROR(require_reachable(actor, scope));
  ASSIGN_OR_RETURN(std::vector<store::StoredStatement> statements,
                   incoming.statements != nullptr
                       ? incoming.statements->wait()
                       : read_statements(incoming.path));

  store::StoredFile file;
  file.id = Uuid::generate_v4();
  file.project_id = scope->project_id;
  file.data_source_id = data_source_id;
  file.filename = to_valid_utf8(incoming.filename, 255);
  file.content_type = to_valid_utf8(incoming.content_type, 255);
  file.sha256 = incoming.sha256;
  file.size_bytes = incoming.size_bytes;
  file.storage_key = "projects/" + file.project_id.to_string() + "/files/" + file.id.to_string();
  file.status = FileStatus::kUploaded;
  file.uploaded_by = actor.user_id;
  file.created_at = file.updated_at = now_utc();
  set_origin(file, meta);
  for (store::StoredStatement& s : statements) {
    s.file_id = file.id;
    s.project_id = file.project_id;
    s.data_source_id = data_source_id;
    s.created_at = file.created_at;
  }
  RETURN_IF_ERROR(blobs_.adopt(file.storage_key, incoming.path));
  auto stored =
      store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<store::StoredFile> {
        // A statement already there, checked in the transaction that stores these: a concurrent
        // upload of the same statement waits for this one and then finds it.
        if (!statements.empty()) {
          RETURN_IF_ERROR(store::StatementRepository::lock_data_source(conn, data_source_id));
          RETURN_IF_ERROR(refuse_repeated_statements(conn, data_source_id, statements));
        }
        RETURN_IF_ERROR(store::FileRepository::insert(conn, file));
        RETURN_IF_ERROR(store::StatementRepository::insert(conn, statements));
        RETURN_IF_ERROR(
            record_audit(conn, meta,
                         {actor.user_id, file.project_id, "file.upload", "file",
                          file.id.to_string(), std::nullopt, boost::json::value(to_json(file))}));
        return file;
      });
  if (stored.ok()) {
    // Before the parser is woken, so that it finds the spool.
    if (incoming.statements != nullptr && !spool_dir_.empty())
      incoming.statements->keep_spool(statement_spool_path(spool_dir_, file.id));
    if (on_uploaded_) on_uploaded_();
    return stored;
  }
  (void)blobs_.remove(file.storage_key);  // nothing refers to it
  if (stored.error().code() == ErrorCode::kConflict) {
    // A concurrent identical upload won the unique index: answer as for any duplicate.
    auto first = store::with_connection(db_, [&](store::Connection& conn) {
      return store::FileRepository::find_by_sha256(conn, data_source_id, incoming.sha256);
    });
    if (first.ok() && *first) return duplicate(**first);
  }
  return stored;
}

std::unique_ptr<StatementRead> FileService::start_statement_read(
    std::unique_ptr<csv::ByteSource> head, std::unique_ptr<csv::ByteSource> body) const {
  return StatementRead::start(std::move(head), std::move(body), spool_dir_);
}

Result<store::StoredFile> FileService::get(const security::Actor& actor, const Uuid& id) {
  return store::with_connection(
      db_, [&](store::Connection& conn) { return load_accessible(conn, actor, id); });
}

Result<PageResult<store::StoredFile>> FileService::list(const security::Actor& actor,
                                                        const Uuid& project_id,
                                                        const std::optional<FileStatus>& status,
                                                        const PageRequest& page) {
  return store::with_connection(
      db_, [&](store::Connection& conn) -> Result<PageResult<store::StoredFile>> {
        RETURN_IF_ERROR(require_project(conn, actor, project_id));
        return store::FileRepository::list_for_project(conn, project_id, status, page);
      });
}

Status FileService::remove(const security::Actor& actor, const Uuid& id, const RequestMeta& meta) {
  ASSIGN_OR_RETURN(
      store::StoredFile removed,
      store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<store::StoredFile> {
        ASSIGN_OR_RETURN(store::StoredFile file, load_accessible(conn, actor, id));
        RETURN_IF_ERROR(store::FileRepository::remove(conn, id));
        RETURN_IF_ERROR(
            record_audit(conn, meta,
                         {actor.user_id, file.project_id, "file.delete", "file",
                          file.id.to_string(), boost::json::value(to_json(file)), std::nullopt}));
        return file;
      }));
  // After the commit: the row is gone, so the bytes may go. A failure here leaves an orphan blob,
  // never a row without its bytes.
  (void)blobs_.remove(removed.storage_key);
  if (!spool_dir_.empty()) {  // left when the file was deleted before its parse
    std::error_code ec;
    std::filesystem::remove(statement_spool_path(spool_dir_, removed.id), ec);
  }
  if (on_project_data_changed_) on_project_data_changed_(removed.project_id);
  return OkStatus();
}

Result<store::StoredFile> FileService::reparse(const security::Actor& actor, const Uuid& id,
                                               const RequestMeta& meta) {
  ASSIGN_OR_RETURN(
      store::StoredFile requeued,
      store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<store::StoredFile> {
        ASSIGN_OR_RETURN(store::StoredFile file, load_accessible(conn, actor, id));
        ASSIGN_OR_RETURN(auto source,
                         store::DataSourceRepository::find_visible(conn, file.data_source_id));
        if (!source) {
          return Error::Conflict(
              "the file's data source was deleted: there is no column mapping to parse it with");
        }
        // First the file row: a worker's claim cannot be taken meanwhile, and one already taken
        // leaves the file as its worker's.
        ASSIGN_OR_RETURN(std::optional<store::StoredFile> after,
                         store::FileRepository::requeue(conn, id, now_utc()));
        if (!after) {
          return Error::Conflict(
              "the file is being parsed right now; re-parse it once its status is parsed or "
              "failed");
        }
        ASSIGN_OR_RETURN(std::vector<Uuid> held,
                         store::FileRepository::matched_records(conn, id, kNamed));
        if (!held.empty()) return refuse_matched(conn, file, held);
        ASSIGN_OR_RETURN(store::RemovedParse removed,
                         store::FileRepository::remove_parse_output(conn, id));
        // Confirmed while this ran (PostgreSQL): the records are deleted in this transaction, so
        // which matches hold them is not looked up; the answer is the same refusal.
        if (removed.matched > 0) return refuse_matched(conn, file, {});
        boost::json::object audited = to_json(*after);
        audited["records_removed"] = removed.records;
        audited["row_errors_removed"] = removed.row_errors;
        RETURN_IF_ERROR(record_audit(
            conn, meta,
            {actor.user_id, file.project_id, "file.reparse", "file", file.id.to_string(),
             boost::json::value(to_json(file)), boost::json::value(std::move(audited))}));
        return std::move(*after);
      }));
  // After the commit: the records are gone from the project's figures, and the parser finds the
  // file waiting.
  if (on_project_data_changed_) on_project_data_changed_(requeued.project_id);
  if (on_uploaded_) on_uploaded_();
  return requeued;
}

Result<PageResult<store::FileRowError>> FileService::row_errors(const security::Actor& actor,
                                                                const Uuid& id,
                                                                const PageRequest& page) {
  return store::with_connection(
      db_, [&](store::Connection& conn) -> Result<PageResult<store::FileRowError>> {
        ASSIGN_OR_RETURN(store::StoredFile file, load_accessible(conn, actor, id));
        return store::FileRepository::list_row_errors(conn, file.id, page);
      });
}

Result<PageResult<store::StoredStatement>> FileService::statements(const security::Actor& actor,
                                                                   const Uuid& id,
                                                                   const PageRequest& page) {
  return store::with_connection(
      db_, [&](store::Connection& conn) -> Result<PageResult<store::StoredStatement>> {
        ASSIGN_OR_RETURN(store::StoredFile file, load_accessible(conn, actor, id));
        return store::StatementRepository::list_for_file(conn, file.id, page);
      });
}

Result<ingest::Preview> FileService::preview(const security::Actor& actor, const Uuid& id,
                                             std::size_t rows,
                                             const std::optional<ingest::ColumnMapping>& mapping) {
  struct Loaded {
    store::StoredFile file;
    std::string mapping;
  };
  ASSIGN_OR_RETURN(
      Loaded loaded, store::with_connection(db_, [&](store::Connection& conn) -> Result<Loaded> {
        ASSIGN_OR_RETURN(store::StoredFile file, load_accessible(conn, actor, id));
        ASSIGN_OR_RETURN(auto source,
                         store::DataSourceRepository::find_visible(conn, file.data_source_id));
        if (!source) return Error::NotFound("file not found");
        return Loaded{std::move(file), std::move(source->data_source.column_mapping)};
      }));
  ingest::ParseSettings settings;
  if (mapping) {
    settings.mapping = *mapping;
  } else {
    ASSIGN_OR_RETURN(settings.mapping, ingest::column_mapping_from_text(loaded.mapping));
  }
  ASSIGN_OR_RETURN(std::string path, blobs_.local_path(loaded.file.storage_key));
  auto preview =
      ingest::preview_file(path, loaded.file.filename, loaded.file.content_type, settings, rows);
  if (!preview.ok() && preview.error().code() != ErrorCode::kUnavailable) {
    // The file is not a table (or the mapping names a missing column): a problem with the input.
    Error error = preview.error();
    return Error(ErrorCode::kValidation, "the file cannot be previewed: " + error.message(),
                 error.field_errors());
  }
  return preview;
}

}  // namespace oeuvre::services
