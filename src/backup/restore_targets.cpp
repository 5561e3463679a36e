#include "backup/restore_targets.h"

#include <filesystem>
#include <fstream>

#include "store/database_url.h"
#include "store/postgres/pg_backup_tools.h"
#include "store/postgres/postgres_connection.h"
#include "store/schema_inventory.h"
#include "store/sqlite/sqlite_connection.h"

namespace oeuvre::backup {

namespace {

namespace fs = std::filesystem;

constexpr std::chrono::milliseconds kConnectTimeout{10'000};

Result<std::string> random_suffix() {
  ASSIGN_OR_RETURN(std::string random, security::random_bytes(6));
  return security::hex_encode(random);
}

class SqliteFileTarget final : public DatabaseTarget {
 public:
  SqliteFileTarget(std::string target, std::string temp)
      : target_(std::move(target)), temp_(std::move(temp)), out_(temp_, std::ios::binary | std::ios::trunc) {}
  ~SqliteFileTarget() override {
    std::error_code ec;
    if (!committed_) fs::remove(temp_, ec);
  }
  bool opened() const { return static_cast<bool>(out_); }

  Status write(std::string_view piece) override {
    out_.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    if (!out_) return Error::Unavailable("cannot write " + temp_);
    return OkStatus();
  }

  Status commit() override {
    out_.close();
    if (!out_) return Error::Unavailable("cannot write " + temp_);
    std::error_code ec;
    for (const char* suffix : {"-wal", "-shm", "-journal"}) fs::remove(target_ + suffix, ec);
    fs::rename(temp_, target_, ec);
    if (ec) return Error::Unavailable("cannot put the restored database in place: " + ec.message());
    committed_ = true;
    return OkStatus();
  }

 private:
  std::string target_, temp_;
  std::ofstream out_;
  bool committed_ = false;
};

class PostgresTarget final : public DatabaseTarget {
 public:
  explicit PostgresTarget(std::unique_ptr<store::PgClientProgram> psql) : psql_(std::move(psql)) {}
  ~PostgresTarget() override {
    if (psql_) psql_->kill();  // its transaction never commits
  }
  Status write(std::string_view piece) override { return psql_->write(piece); }
  Status commit() override {
    Status done = psql_->finish();
    psql_.reset();
    return done;
  }

 private:
  std::unique_ptr<store::PgClientProgram> psql_;
};

Result<std::unique_ptr<DatabaseTarget>> open_sqlite_target(const std::string& path) {
  std::error_code ec;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  ASSIGN_OR_RETURN(std::string suffix, random_suffix());
  auto target = std::make_unique<SqliteFileTarget>(path, path + ".restoring-" + suffix);
  if (!target->opened()) return Error::Unavailable("cannot write beside " + path);
  return std::unique_ptr<DatabaseTarget>(std::move(target));
}

class BlobFolderTarget final : public FileTarget {
 public:
  BlobFolderTarget(std::string blobs_dir, std::string staging) : blobs_dir_(std::move(blobs_dir)), staging_(std::move(staging)) {}
  ~BlobFolderTarget() override {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
  Status begin_file(const std::string& storage_key) override {
    const fs::path path = fs::path(staging_) / storage_key;
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    out_.open(path, std::ios::binary | std::ios::trunc);
    if (!out_) return Error::Unavailable("cannot write " + path.string());
    keys_.push_back(storage_key);
    return OkStatus();
  }
  Status write(std::string_view piece) override {
    out_.write(piece.data(), static_cast<std::streamsize>(piece.size()));
    return out_ ? OkStatus() : Status(Error::Unavailable("cannot write a restored file"));
  }
  Status end_file() override {
    out_.close();
    return out_ ? OkStatus() : Status(Error::Unavailable("cannot write a restored file"));
  }
  Status commit() override {
    for (const std::string& key : keys_) {
      const fs::path target = fs::path(blobs_dir_) / key;
      std::error_code ec;
      fs::create_directories(target.parent_path(), ec);
      fs::rename(fs::path(staging_) / key, target, ec);
      if (ec) return Error::Unavailable("cannot move a restored file into " + blobs_dir_ + ": " + ec.message());
    }
    return OkStatus();
  }

 private:
  std::string blobs_dir_, staging_;
  std::ofstream out_;
  std::vector<std::string> keys_;
};

}  // namespace

Status check_target_kind(SourceKind kind, const std::string& database_url) {
  ASSIGN_OR_RETURN(store::DatabaseUrl url, store::parse_database_url(database_url));
  const bool sqlite = kind == SourceKind::kSqlite;
  if ((url.kind == store::DatabaseUrl::kSqlite) == sqlite) return OkStatus();
  return Error::Validation("--to", std::string("the backup holds a ") + (sqlite ? "SQLite" : "PostgreSQL") +
                                       " database: restore it to a " + (sqlite ? "sqlite://" : "postgres://") +
                                       " URL");
}

Result<std::unique_ptr<DatabaseTarget>> open_database_target(SourceKind kind, const std::string& database_url,
                                                             bool replace) {
  RETURN_IF_ERROR(check_target_kind(kind, database_url));
  ASSIGN_OR_RETURN(store::DatabaseUrl url, store::parse_database_url(database_url));
  if (url.kind == store::DatabaseUrl::kSqlite) {
    if (url.sqlite_path == ":memory:") return Error::Validation("--to", "cannot restore into an in-memory database");
    return open_sqlite_target(url.sqlite_path);
  }
  ASSIGN_OR_RETURN(auto psql, store::start_postgres_restore(url.postgres_conninfo, replace));
  return std::unique_ptr<DatabaseTarget>(std::make_unique<PostgresTarget>(std::move(psql)));
}

Result<bool> database_has_tables(const std::string& database_url) {
  ASSIGN_OR_RETURN(store::DatabaseUrl url, store::parse_database_url(database_url));
  if (url.kind == store::DatabaseUrl::kSqlite) {
    std::error_code ec;
    if (url.sqlite_path == ":memory:" || !fs::exists(url.sqlite_path, ec)) return false;
    ASSIGN_OR_RETURN(auto conn, store::connect_sqlite(url.sqlite_path, kConnectTimeout));
    return store::schema_has_tables(*conn);
  }
  ASSIGN_OR_RETURN(auto conn, store::connect_postgres(url.postgres_conninfo, kConnectTimeout));
  return store::schema_has_tables(*conn);
}

Result<std::unique_ptr<FileTarget>> open_blob_folder_target(const std::string& blobs_dir) {
  ASSIGN_OR_RETURN(std::string suffix, random_suffix());
  const std::string staging = (fs::path(blobs_dir).parent_path() / (".restoring-" + suffix)).string();
  std::error_code ec;
  fs::create_directories(staging, ec);
  if (ec) return Error::Unavailable("cannot create " + staging + ": " + ec.message());
  return std::unique_ptr<FileTarget>(std::make_unique<BlobFolderTarget>(blobs_dir, staging));
}

Status FileHashes::begin_file(const std::string& storage_key) {
  key_ = storage_key;
  hash_ = std::make_unique<security::Sha256Stream>();
  return OkStatus();
}

Status FileHashes::write(std::string_view piece) {
  hash_->update(piece);
  return OkStatus();
}

Status FileHashes::end_file() {
  hashes_[key_] = hash_->finish_hex();
  hash_.reset();
  return OkStatus();
}

}  // namespace oeuvre::backup
