#pragma once
// Uploaded files: stored once per data source (a byte-identical re-upload answers 409 with the
// first file's id), listed per project, deleted with their records in one transaction. Every access
// goes through the policy module via the file's project. Safe for concurrent use.

#include <memory>
#include <optional>

#include "csv/byte_source.h"
#include "ingest/file_parser.h"
#include "security/policy.h"
#include "services/request_meta.h"
#include "store/blob_store.h"
#include "store/database.h"
#include "store/file_repository.h"
#include "store/statement_repository.h"

namespace oeuvre::services {

// The statements of an upload read on a thread of their own while its body is still arriving
// (from sources that follow the file as it is stored), so that the upload's answer does not wait
// for a read of its own. At most kMaxRunning at once across the process; beyond that start()
// declines and the upload reads its statements when it is in. The thread ends on its own when
// the read does (a source that follows an upload fails when the upload ends unfinished), so
// dropping a StatementRead never waits. Thread-safety: wait() from one thread.
class StatementRead {
 public:
  static constexpr int kMaxRunning = 4;

  // Reads the statements of the file that `head` and `body` both read from its start (`head` to
  // recognise the format, `body` to read it). With a `spool_dir`, the read keeps every transaction
  // too, in a spool there (bank/transaction_spool.h) that keep_spool() hands on to the file's
  // parse. nullptr when kMaxRunning reads run already.
  static std::unique_ptr<StatementRead> start(std::unique_ptr<csv::ByteSource> head,
                                              std::unique_ptr<csv::ByteSource> body,
                                              const std::string& spool_dir = "");
  // Removes the spool unless kept; a read still running removes it when it ends.
  ~StatementRead();
  StatementRead(const StatementRead&) = delete;
  StatementRead& operator=(const StatementRead&) = delete;

  // Waits for the read: the file's statements, empty when it is not a bank statement file; fails
  // (kValidation) when it is one that cannot be read. Called once.
  Result<std::vector<store::StoredStatement>> wait();
  // After wait(): moves the read's complete spool, if it wrote one, to `destination` (the stored
  // file's statement_spool_path). Without one, or when the move fails, nothing happens: the file
  // is then parsed from its bytes.
  void keep_spool(const std::string& destination);

 private:
  struct State;
  explicit StatementRead(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

// A received upload sitting in a local temporary file (the caller keeps it alive during the call).
struct IncomingFile {
  std::string path;
  std::int64_t size_bytes = 0;
  std::string sha256;
  std::string filename;
  std::string content_type;
  // Its statements, when their read was started while the body arrived; else they are read from
  // `path`.
  StatementRead* statements = nullptr;
};

// Where the spool of a stored file's transactions lives in `spool_dir` (IngestOptions::spool_dir).
std::string statement_spool_path(const std::string& spool_dir, const Uuid& file_id);

class FileService {
 public:
  // `spool_dir`: where a bank statement file's transactions read at upload are left for its parse
  // (IngestOptions::spool_dir); "" keeps none.
  FileService(store::Database& db, store::BlobStore& blobs, std::string spool_dir = "")
      : db_(db), blobs_(blobs), spool_dir_(std::move(spool_dir)) {}

  // Starts reading the statements of an upload while its body arrives (StatementRead::start,
  // spooling its transactions when this service keeps spools); nullptr when none can start now.
  std::unique_ptr<StatementRead> start_statement_read(std::unique_ptr<csv::ByteSource> head,
                                                      std::unique_ptr<csv::ByteSource> body) const;

  // Whether the actor may upload to the data source at all, asked before the body is received: OK
  // when it exists and is active in an active project the actor reaches, else kNotFound.
  Status check_upload(const security::Actor& actor, const Uuid& data_source_id);
  // kNotFound for a data source the actor may not see; kConflict (with member file_id) for a
  // duplicate: the same bytes, or a bank statement file one of whose statements the data source
  // already holds (same account and statement id, or same balances and transactions). A bank
  // statement file is read through once here (its statements are stored with the file); one that
  // cannot be read fails with kValidation naming the line or XML path.
  Result<store::StoredFile> upload(const security::Actor& actor, const Uuid& data_source_id,
                                   const IncomingFile& incoming, const RequestMeta& meta);
  Result<store::StoredFile> get(const security::Actor& actor, const Uuid& id);
  Result<PageResult<store::StoredFile>> list(const security::Actor& actor, const Uuid& project_id,
                                             const std::optional<FileStatus>& status,
                                             const PageRequest& page);
  // Removes the file and every record parsed from it (one transaction), then its stored bytes.
  Status remove(const security::Actor& actor, const Uuid& id, const RequestMeta& meta);
  // Parses the file again from scratch, with its data source's current column mapping: in one
  // transaction (audited as file.reparse) its records and row errors are removed and it waits again
  // ('uploaded', attempts, progress, counts, error and layout reset), then the parser is woken.
  // What its upload stored stays: its bytes, and a bank statement file's statements (and, until the
  // parse, the spool of its transactions: written before any mapping applies,
  // docs/bank_statements.md). Returns the file as requeued. kNotFound as get(); kConflict while a
  // worker holds it (status 'parsing'), when its data source was deleted, or when a confirmed match
  // holds one of its records (member match_id: the first such match; nothing changes: undo the
  // matches first).
  Result<store::StoredFile> reparse(const security::Actor& actor, const Uuid& id,
                                    const RequestMeta& meta);
  // The rows parsing could not read, in line order.
  Result<PageResult<store::FileRowError>> row_errors(const security::Actor& actor, const Uuid& id,
                                                     const PageRequest& page);
  // A bank statement file's statements in file order (none for a table).
  Result<PageResult<store::StoredStatement>> statements(const security::Actor& actor, const Uuid& id,
                                                        const PageRequest& page);
  // The file's first `rows` rows parsed with its data source's current mapping (whatever the file's
  // status), so a mapping can be checked and fixed before matching. With `mapping`, parsed with
  // that one instead (a mapping tried before it is saved; nothing is stored).
  Result<ingest::Preview> preview(
      const security::Actor& actor, const Uuid& id, std::size_t rows,
      const std::optional<ingest::ColumnMapping>& mapping = std::nullopt);
  // Called after each stored upload (wakes the parser).
  void on_uploaded(std::function<void()> hook) { on_uploaded_ = std::move(hook); }
  // Called with the project's id after a commit that changed its records (the statistics cache).
  // REQUIRES: set before serving.
  void on_project_data_changed(std::function<void(const Uuid&)> hook) {
    on_project_data_changed_ = std::move(hook);
  }

 private:
  store::Database& db_;
  store::BlobStore& blobs_;
  const std::string spool_dir_;
  std::function<void()> on_uploaded_;
  std::function<void(const Uuid&)> on_project_data_changed_;
};

boost::json::object to_json(const store::StoredFile& file);
boost::json::object to_json(const store::FileRowError& error);
boost::json::object to_json(const store::StoredStatement& statement);
// {"format", "delimiter", "header", "mapping": {field: header}, "date_order", "decimal_separator",
//  "rows", "rows_failed"}
boost::json::object layout_to_json(const ingest::FileLayout& layout);
boost::json::object to_json(const ingest::Preview& preview);

}  // namespace oeuvre::services
