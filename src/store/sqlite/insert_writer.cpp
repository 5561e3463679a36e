#include "store/sqlite/insert_writer.h"

#include <algorithm>

namespace oeuvre::store::sqlite {

InsertWriter::InsertWriter(sqlite3* db, std::string table, std::span<const std::string> columns)
    : db_(db),
      table_(std::move(table)),
      columns_(columns.begin(), columns.end()),
      batch_rows_(std::clamp<std::size_t>(32766 / columns.size(), 1, kMaxBatchRows)),
      pending_(batch_rows_ * columns.size()) {}

Result<sqlite3_stmt*> InsertWriter::statement(Statement& slot, std::size_t rows) {
  if (slot) {
    sqlite3_reset(slot.get());
    return slot.get();
  }
  std::string sql = "INSERT INTO " + table_ + " (";
  std::string tuple = "(";
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    sql += (c > 0 ? ", " : "") + columns_[c];
    tuple += c > 0 ? ", ?" : "?";
  }
  tuple += ')';
  sql += ") VALUES ";
  for (std::size_t r = 0; r < rows; ++r) sql += (r > 0 ? ", " : "") + tuple;
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                    &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, rc, "prepare insert");
  slot.reset(stmt);
  return stmt;
}

Status InsertWriter::store(sqlite3_stmt* stmt, std::size_t first_row, std::size_t rows) {
  const std::size_t width = columns_.size();
  for (std::size_t i = 0; i < rows * width; ++i) {
    const Value& value = pending_[first_row * width + i];
    if (Status bound = bind_value(db_, stmt, static_cast<int>(i + 1), value, SQLITE_STATIC);
        !bound.ok()) {
      sqlite3_clear_bindings(stmt);
      return bound;
    }
  }
  const int rc = sqlite3_step(stmt);
  Status status = OkStatus();
  if (rc != SQLITE_DONE) status = sqlite_error(db_, rc, "insert");
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  return status;
}

Status InsertWriter::add(std::span<const Value> row) {
  if (finished_) return Error::Internal("insert: the load already ended");
  if (row.size() != columns_.size()) {
    return Error::BadRequest("insert: " + std::to_string(row.size()) + " values for " +
                             std::to_string(columns_.size()) + " columns");
  }
  RETURN_IF_ERROR(check_dates(row));
  // Copy-assigning keeps each buffered string's capacity from the batch before.
  std::copy(row.begin(), row.end(), pending_.begin() + static_cast<std::ptrdiff_t>(pending_rows_ * row.size()));
  if (++pending_rows_ < batch_rows_) return OkStatus();
  pending_rows_ = 0;
  ASSIGN_OR_RETURN(sqlite3_stmt * stmt, statement(batch_, batch_rows_));
  return store(stmt, 0, batch_rows_);
}

Status InsertWriter::finish() {
  if (finished_) return Error::Internal("insert: the load already ended");
  finished_ = true;
  for (std::size_t r = 0; r < pending_rows_; ++r) {
    ASSIGN_OR_RETURN(sqlite3_stmt * stmt, statement(single_, 1));
    RETURN_IF_ERROR(store(stmt, r, 1));
  }
  pending_rows_ = 0;
  return OkStatus();
}


}  // namespace oeuvre::store::sqlite
