// `oeuvre backup` end to end with the real binary, on both backends: a server with a project, files,
// records, a finished job and a review decision is backed up while it serves; the backup restores
// into an empty database with every row of every table and every uploaded file identical; a damaged
// archive or a wrong key is refused with the target untouched; a non-empty target needs --force.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "backup/backup_restorer.h"
#include "store/schema_inventory.h"
#include "support/child_process.h"
#include "support/json_path.h"
#include "support/test_helpers.h"
#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kOtherKey = "0000000000000000000000000000000000000000000000000000000000000001";

constexpr const char* kBankCsv =
    "id,date,amount,currency,reference,description,counterparty\n"
    "B01,2026-03-02,1250.00,EUR,INV-1001,SEPA CREDIT ACME CORP INVOICE 1001,ACME CORP\n"
    "B02,2026-03-03,310.00,EUR,INV-1002,GIRO CREDIT GLOBEX INVOICE 1002,GLOBEX\n"
    "B03,2026-03-13,-15.00,EUR,,ACCOUNT MAINTENANCE FEE,BANK\n";
constexpr const char* kLedgerCsv =
    "id,date,amount,currency,reference,description,counterparty\n"
    "L01,2026-03-02,1250.00,EUR,INV-1001,Invoice 1001 Acme Corp,Acme Corp\n"
    "L02,2026-03-02,310.00,EUR,INV-1002,Invoice 1002 Globex,Globex Inc\n"
    "L03,2026-03-20,-230.00,EUR,,Accrued insurance,Insurer AG\n";

struct CliRun {
  int exit_code = -1;
  std::string output;
};

// Runs `oeuvre backup ARGS` with `env` and waits for it.
CliRun run_backup(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                  const fs::path& log) {
  std::vector<std::string> argv{OEUVRE_BINARY, "backup"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto child = ChildProcess::spawn(argv, env, log.string());
  if (child == nullptr) return {};
  const auto status = child->wait_for_exit(std::chrono::seconds(120));
  CliRun run{-1, child->output()};
  if (status && WIFEXITED(*status)) run.exit_code = WEXITSTATUS(*status);
  return run;
}

using Rows = std::vector<std::vector<std::optional<std::string>>>;

// Every table's rows (sorted) of the database at `url`.
std::map<std::string, Rows> dump_tables(const std::string& url) {
  std::map<std::string, Rows> tables;
  auto conn = backup::connect_to(url);
  EXPECT_TRUE(conn.ok()) << conn.error().message();
  if (!conn.ok()) return tables;
  auto counts = store::count_table_rows(**conn);
  EXPECT_TRUE(counts.ok());
  for (const auto& count : *counts) {
    auto set = (*conn)->query("SELECT * FROM " + count.table, {});
    EXPECT_TRUE(set.ok()) << count.table;
    Rows rows;
    for (const store::Row& row : set->rows) {
      std::vector<std::optional<std::string>> cells;
      for (std::size_t i = 0; i < row.size(); ++i) cells.push_back(row.optional_text(i));
      rows.push_back(std::move(cells));
    }
    std::sort(rows.begin(), rows.end());
    tables[count.table] = std::move(rows);
  }
  return tables;
}

// Relative path -> content of every file under `root`.
std::map<std::string, std::string> files_under(const fs::path& root) {
  std::map<std::string, std::string> files;
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(root, ec)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    files[fs::relative(entry.path(), root).string()] = content.str();
  }
  return files;
}

// A server with everything a backup must carry: a project, two data sources with parsed files, a
// completed job and a confirmed result.
struct BackupFixture {
  TestServer server;
  fs::path backup_dir = fresh_dir("backups");
  fs::path logs = fresh_dir("backup-logs");
  int runs = 0;

  BackupFixture() {
    Session alice = server.register_user("alice@example.com");
    auto project = server.post("/api/v1/projects", json::object{{"name", "March close"}}, alice.access_token);
    const std::string project_id = json_string(project.json(), "id");
    std::vector<std::string> sources;
    for (const auto& [name, kind, content] : {std::tuple{"Bank", "bank", kBankCsv}, std::tuple{"Ledger", "ledger", kLedgerCsv}}) {
      auto source = server.post("/api/v1/projects/" + project_id + "/data-sources",
                                json::object{{"name", name}, {"kind", kind}}, alice.access_token);
      sources.push_back(json_string(source.json(), "id"));
      auto file = server.upload_and_wait(sources.back(), content, alice.access_token);
      EXPECT_EQ(json_string(file.json(), "status"), "parsed") << file.body;
    }
    auto job = server.post("/api/v1/projects/" + project_id + "/jobs",
                           json::object{{"name", "March"}, {"left_data_source_id", sources[0]},
                                        {"right_data_source_id", sources[1]}},
                           alice.access_token);
    auto done = server.wait_for_job(json_string(job.json(), "id"), alice.access_token);
    EXPECT_EQ(json_string(done.json(), "status"), "completed") << done.body;
    auto results = server.get("/api/v1/jobs/" + json_string(job.json(), "id") + "/results?status=matched",
                              alice.access_token);
    const std::string result = json_string(results.json(), "items.0.id");
    auto confirmed = server.post("/api/v1/results/" + result + "/confirm", json::object{}, alice.access_token);
    EXPECT_EQ(confirmed.status, 200u) << confirmed.body;
  }
  ~BackupFixture() {
    std::error_code ec;
    fs::remove_all(backup_dir, ec);
    fs::remove_all(logs, ec);
  }

  std::map<std::string, std::string> env(const std::string& key = kBackupKey, const std::string& var_dir = "") const {
    return {{"DATABASE_URL", server.config().database_url},
            {"VAR_DIR", var_dir.empty() ? server.config().var_dir : var_dir},
            {"BACKUP_DIR", backup_dir.string()},
            {"BACKUP_ENCRYPTION_KEY", key},
            {"LOG_LEVEL", "warn"}};
  }
  CliRun run(const std::vector<std::string>& args, const std::map<std::string, std::string>& environment) {
    return run_backup(args, environment, logs / ("run-" + std::to_string(++runs) + ".log"));
  }
  // Creates a backup; its id.
  std::string create() {
    CliRun created = run({"create"}, env());
    EXPECT_EQ(created.exit_code, 0) << created.output;
    EXPECT_NE(created.output.find("created backup "), std::string::npos) << created.output;
    const auto at = created.output.find("created backup ");
    return at == std::string::npos ? std::string() : created.output.substr(at + 15, 23);
  }
  fs::path archive(const std::string& id) const { return backup_dir / (id + ".oeuvre-backup"); }
  fs::path blobs() const { return fs::path(server.config().var_dir) / "uploads" / "blobs"; }
};

TEST(BackupCliTest, ABackupTakenWhileServingRestoresEveryRowAndEveryFile) {
  BackupFixture f;
  const std::string id = f.create();
  ASSERT_FALSE(id.empty());
  EXPECT_TRUE(fs::exists(f.backup_dir / (id + ".manifest.json")));
  CliRun listed = f.run({"list"}, f.env());
  EXPECT_EQ(listed.exit_code, 0) << listed.output;
  EXPECT_NE(listed.output.find(id), std::string::npos) << listed.output;
  EXPECT_NE(listed.output.find("2 files"), std::string::npos) << listed.output;

  f.server.stop();  // nothing changes the source while it is compared
  TestDatabase target = make_test_database();
  const fs::path target_var = fresh_dir("restore-var");
  CliRun restored = f.run({"restore", id, "--to", target.url}, f.env(kBackupKey, target_var.string()));
  ASSERT_EQ(restored.exit_code, 0) << restored.output;
  EXPECT_NE(restored.output.find("restored " + id), std::string::npos) << restored.output;

  const auto source_tables = dump_tables(f.server.config().database_url);
  const auto target_tables = dump_tables(target.url);
  ASSERT_FALSE(source_tables.empty());
  for (const char* table : {"projects", "files", "records", "reconciliation_jobs", "reconciliation_results",
                            "audit_logs", "users", "schema_migrations"}) {
    if (!source_tables.contains(table)) continue;
    EXPECT_FALSE(source_tables.at(table).empty()) << table << " holds data in the source";
  }
  EXPECT_EQ(source_tables, target_tables);
  const auto source_files = files_under(f.blobs());
  EXPECT_EQ(source_files.size(), 2u);
  EXPECT_EQ(files_under(target_var / "uploads" / "blobs"), source_files);

  // Into the same target again: refused without --force, done with it.
  CliRun refused = f.run({"restore", id, "--to", target.url}, f.env(kBackupKey, target_var.string()));
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("not empty: pass --force"), std::string::npos) << refused.output;
  CliRun forced = f.run({"restore", id, "--to", target.url, "--force"}, f.env(kBackupKey, target_var.string()));
  EXPECT_EQ(forced.exit_code, 0) << forced.output;
  EXPECT_EQ(dump_tables(target.url), source_tables);
  std::error_code ec;
  fs::remove_all(target_var, ec);
}

TEST(BackupCliTest, ADamagedArchiveOrAWrongKeyLeavesTheTargetUntouched) {
  BackupFixture f;
  const std::string id = f.create();
  ASSERT_FALSE(id.empty());
  TestDatabase target = make_test_database();
  const fs::path target_var = fresh_dir("restore-var");

  CliRun wrong_key = f.run({"restore", id, "--to", target.url}, f.env(kOtherKey, target_var.string()));
  EXPECT_EQ(wrong_key.exit_code, 2) << wrong_key.output;
  EXPECT_NE(wrong_key.output.find("wrong key"), std::string::npos) << wrong_key.output;

  {
    std::fstream archive(f.archive(id), std::ios::binary | std::ios::in | std::ios::out);
    const auto size = fs::file_size(f.archive(id));
    archive.seekg(static_cast<std::streamoff>(size / 2));
    char byte = 0;
    archive.read(&byte, 1);
    byte ^= 0x10;
    archive.seekp(static_cast<std::streamoff>(size / 2));
    archive.write(&byte, 1);
  }
  CliRun damaged = f.run({"restore", id, "--to", target.url}, f.env(kBackupKey, target_var.string()));
  EXPECT_EQ(damaged.exit_code, 2) << damaged.output;
  EXPECT_NE(damaged.output.find("fails authentication"), std::string::npos) << damaged.output;
  auto has_tables = backup::database_has_tables(target.url);
  ASSERT_TRUE(has_tables.ok());
  EXPECT_FALSE(*has_tables) << "the target was touched";
  EXPECT_TRUE(files_under(target_var).empty());

  CliRun verified = f.run({"verify", id}, f.env());
  EXPECT_EQ(verified.exit_code, 1) << verified.output;
  EXPECT_NE(verified.output.find("FAILED verification"), std::string::npos) << verified.output;
  CliRun listed = f.run({"list"}, f.env());
  EXPECT_NE(listed.output.find("FAILED verification"), std::string::npos) << listed.output;

  // An archive cut short: everything before the cut authenticates and the missing final chunk is
  // found only at the end. An uploaded file made 320 KiB of noise puts the database entry (the
  // archive's first) wholly before the cut: on PostgreSQL psql has run all of it, yet the target
  // stays untouched.
  {
    std::mt19937 noise(7);
    std::string bytes(320 * 1024, '\0');
    for (char& c : bytes) c = static_cast<char>(noise());
    const auto files = files_under(f.blobs());
    ASSERT_FALSE(files.empty());
    std::ofstream(f.blobs() / files.begin()->first, std::ios::binary | std::ios::trunc) << bytes;
  }
  const std::string cut = f.create();
  ASSERT_FALSE(cut.empty());
  fs::resize_file(f.archive(cut), fs::file_size(f.archive(cut)) * 3 / 4);
  CliRun truncated = f.run({"restore", cut, "--to", target.url}, f.env(kBackupKey, target_var.string()));
  EXPECT_EQ(truncated.exit_code, 2) << truncated.output;
  EXPECT_NE(truncated.output.find("truncated"), std::string::npos) << truncated.output;
  has_tables = backup::database_has_tables(target.url);
  ASSERT_TRUE(has_tables.ok());
  EXPECT_FALSE(*has_tables) << "the target was touched by a truncated archive";
  EXPECT_TRUE(files_under(target_var).empty());
  std::error_code ec;
  fs::remove_all(target_var, ec);
}

TEST(BackupCliTest, VerifyRestoresIntoAScratchDatabaseAndRecordsTheResult) {
  BackupFixture f;
  const std::string id = f.create();
  ASSERT_FALSE(id.empty());
  CliRun verified = f.run({"verify", id}, f.env());
  ASSERT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find("2 files match the manifest"), std::string::npos) << verified.output;
  std::ifstream in(f.backup_dir / (id + ".manifest.json"));
  std::stringstream text;
  text << in.rdbuf();
  const json::value manifest = json::parse(text.str());
  EXPECT_EQ(json_at(manifest, "verification.ok"), json::value(true)) << manifest;
  EXPECT_GT(json_int(manifest, "row_counts.records"), 0) << manifest;
  EXPECT_EQ(json_int(manifest, "file_count"), 2) << manifest;
  // No scratch database or file is left behind.
  for (const auto& entry : fs::directory_iterator(f.backup_dir)) {
    EXPECT_NE(entry.path().filename().string().front(), '.') << entry.path();
  }
  CliRun listed = f.run({"list"}, f.env());
  EXPECT_NE(listed.output.find("verified "), std::string::npos) << listed.output;
}

TEST(BackupCliTest, BadInputGetsOneClearLine) {
  BackupFixture f;
  auto no_key = f.env();
  no_key.erase("BACKUP_ENCRYPTION_KEY");
  CliRun missing = f.run({"create"}, no_key);
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("BACKUP_ENCRYPTION_KEY: is not set"), std::string::npos) << missing.output;
  CliRun short_key = f.run({"create"}, f.env("abcd"));
  EXPECT_EQ(short_key.exit_code, 2) << short_key.output;
  EXPECT_NE(short_key.output.find("must be 32 bytes"), std::string::npos) << short_key.output;
  EXPECT_EQ(short_key.output.find("abcd"), std::string::npos) << "the key is never echoed";
  CliRun unknown = f.run({"verify", "20260101T000000Z-abcdef"}, f.env());
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("no backup 20260101T000000Z-abcdef"), std::string::npos) << unknown.output;
  CliRun garbage = f.run({"restore", "../../etc/passwd", "--to", "sqlite:///tmp/x.db"}, f.env());
  EXPECT_EQ(garbage.exit_code, 2) << garbage.output;
  const std::string other_kind = test_backend_is_postgres() ? "sqlite:///tmp/oeuvre-never.db"
                                                            : "postgres://127.0.0.1:1/none";
  const std::string id = f.create();
  CliRun wrong_backend = f.run({"restore", id, "--to", other_kind}, f.env());
  EXPECT_EQ(wrong_backend.exit_code, 2) << wrong_backend.output;
  EXPECT_NE(wrong_backend.output.find("restore it to a"), std::string::npos) << wrong_backend.output;
  EXPECT_FALSE(fs::exists("/tmp/oeuvre-never.db"));
}

TEST(BackupCliTest, PruneKeepsTheNewestGoodBackupAndSaysWhatItRemoves) {
  BackupFixture f;
  const std::string first = f.create();
  const std::string second = f.create();
  ASSERT_FALSE(first.empty());
  ASSERT_FALSE(second.empty());
  auto env = f.env();
  env["BACKUP_KEEP_DAILY"] = "0";
  env["BACKUP_KEEP_WEEKLY"] = "0";
  env["BACKUP_KEEP_MONTHLY"] = "0";
  env["BACKUP_KEEP_YEARLY"] = "0";
  CliRun dry = f.run({"prune", "--dry-run"}, env);
  EXPECT_EQ(dry.exit_code, 0) << dry.output;
  EXPECT_NE(dry.output.find("would remove " + first), std::string::npos) << dry.output;
  EXPECT_TRUE(fs::exists(f.archive(first)));
  CliRun pruned = f.run({"prune"}, env);
  EXPECT_EQ(pruned.exit_code, 0) << pruned.output;
  EXPECT_NE(pruned.output.find("keep   " + second + " (newest good backup)"), std::string::npos) << pruned.output;
  EXPECT_FALSE(fs::exists(f.archive(first)));
  EXPECT_TRUE(fs::exists(f.archive(second)));
}

}  // namespace
}  // namespace oeuvre::testing
