// Every list and lookup query the API issues uses an index. The queries are not copied here: the
// services run against a recording store, and each SELECT they issued is EXPLAINed on the same backend
// (PostgreSQL with enable_seqscan off, so the plan shows whether a usable index exists at all; SQLite's
// EXPLAIN QUERY PLAN).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <mutex>

#include "engine/rules.h"
#include "observability/metrics.h"
#include "security/crypto.h"
#include "services/audit_service.h"
#include "services/auth_service.h"
#include "services/data_source_service.h"
#include "services/file_service.h"
#include "services/job_runner.h"
#include "services/job_service.h"
#include "services/project_service.h"
#include "services/record_service.h"
#include "services/review_service.h"
#include "services/user_service.h"
#include "store/migrations.h"
#include "support/test_database.h"

namespace oeuvre {
namespace {

struct IssuedQuery {
  std::string sql;
  std::vector<store::Value> params;
};

class RecordingConnection final : public store::Connection {
 public:
  RecordingConnection(store::PooledConnection inner, std::vector<IssuedQuery>& log, std::mutex& mu)
      : inner_(std::move(inner)), log_(log), mu_(mu) {}
  Result<store::ResultSet> query(std::string_view sql, std::span<const store::Value> params) override {
    {
      std::lock_guard lock(mu_);
      log_.push_back({std::string(sql), std::vector<store::Value>(params.begin(), params.end())});
    }
    return inner_->query(sql, params);
  }
  Status query_each(std::string_view sql, std::span<const store::Value> params,
                    const std::function<Status(const store::Row&)>& visit) override {
    {
      std::lock_guard lock(mu_);
      log_.push_back({std::string(sql), std::vector<store::Value>(params.begin(), params.end())});
    }
    return inner_->query_each(sql, params, visit);
  }
  Status execute_script(std::string_view sql) override { return inner_->execute_script(sql); }
  Status begin(bool write) override { return inner_->begin(write); }
  Status commit() override { return inner_->commit(); }
  Status rollback() override { return inner_->rollback(); }
  Result<std::vector<std::string>> explain(std::string_view sql, std::span<const store::Value> params) override {
    return inner_->explain(sql, params);
  }
  Status insert_rows(std::string_view table, std::span<const std::string> columns,
                     const std::vector<std::vector<store::Value>>& rows) override {
    return inner_->insert_rows(table, columns, rows);
  }
  Result<std::unique_ptr<store::BulkWriter>> bulk_writer(std::string_view table,
                                                         std::span<const std::string> columns) override {
    return inner_->bulk_writer(table, columns);
  }
  bool healthy() override { return inner_->healthy(); }
  store::Dialect dialect() const override { return inner_->dialect(); }

 private:
  mutable store::PooledConnection inner_;  // mutable: dialect() is const, PooledConnection::operator-> is not
  std::vector<IssuedQuery>& log_;
  std::mutex& mu_;
};

class RecordingDatabase final : public store::Database {
 public:
  explicit RecordingDatabase(store::Database& inner) : inner_(inner) {}
  Result<store::PooledConnection> acquire() override {
    ASSIGN_OR_RETURN(store::PooledConnection conn, inner_.acquire());
    return store::PooledConnection(std::make_unique<RecordingConnection>(std::move(conn), log_, mu_),
                                   [](std::unique_ptr<store::Connection>) {});
  }
  store::Dialect dialect() const override { return inner_.dialect(); }
  Status ping() override { return inner_.ping(); }
  void close() override {}
  std::vector<IssuedQuery> take() {
    std::lock_guard lock(mu_);
    return std::exchange(log_, {});
  }

 private:
  store::Database& inner_;
  std::mutex mu_;
  std::vector<IssuedQuery> log_;
};

bool plan_uses_index(store::Dialect dialect, const std::vector<std::string>& plan) {
  bool index = false;
  for (const auto& line : plan) {
    if (dialect == store::Dialect::kSqlite) {
      // "SCAN t" without an index is a full scan; "SEARCH t USING INDEX" / "SCAN t USING COVERING INDEX"
      // are index plans.
      if (line.find("USING") != std::string::npos &&
          (line.find("INDEX") != std::string::npos || line.find("PRIMARY KEY") != std::string::npos)) {
        index = true;
      }
      if (line.rfind("SCAN ", 0) == 0 && line.find("INDEX") == std::string::npos &&
          line.find("PRIMARY KEY") == std::string::npos) {
        return false;
      }
    } else {
      if (line.find("Index") != std::string::npos) index = true;
      if (line.find("Seq Scan") != std::string::npos) return false;
    }
  }
  return index;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "  " + l + "\n";
  return out;
}

TEST(QueryPlanTest, EveryQueryTheServicesIssueUsesAnIndex) {
  TestDatabase test_db = make_test_database();
  auto opened = store::open_database({test_db.url, 2, std::chrono::milliseconds(5000)});
  ASSERT_TRUE(opened.ok()) << opened.error().message();
  store::Database& real = **opened;
  ASSERT_TRUE(store::apply_migrations(real).ok());
  RecordingDatabase db(real);

  obs::Metrics metrics;
  services::AuthSettings settings;
  settings.jwt_secret = "tK8vW2qZ7nB4xR9mL1cF6hJ3pD0sG5yA";  // random: low-entropy secrets verify nothing
  settings.password_cost = security::PasswordCost::minimal();
  services::CachedReads reads(db, nullptr);  // no cache: every read reaches the database
  services::AuthService auth(db, settings, metrics, reads);
  services::UserService users(db, reads);
  services::ProjectService projects(db, reads);
  services::AuditService audit(db);
  services::DataSourceService data_sources(db, reads);
  services::RequestMeta meta{"plan-test", "127.0.0.1", "tests"};
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() / ("oeuvre-plan-" + Uuid::generate_v4().to_string());
  std::filesystem::create_directories(folder / "incoming");
  auto blobs = store::make_directory_blob_store((folder / "blobs").string());
  services::FileService files(db, *blobs);
  // A received upload in a temp file, as the HTTP layer hands it over.
  auto incoming = [&](const std::string& content) {
    const std::string path = (folder / "incoming" / Uuid::generate_v4().to_string()).string();
    std::ofstream(path, std::ios::binary) << content;
    security::Sha256Stream sha;
    sha.update(content);
    return services::IncomingFile{path, static_cast<std::int64_t>(content.size()), sha.finish_hex(), "f.csv",
                                  "text/csv"};
  };

  // Exercise every read path the API has, with enough rows to be meaningful.
  auto admin = auth.create_user({"admin@plan.test", "correct horse battery", "A", Role::kAdmin}, std::nullopt, meta);
  ASSERT_TRUE(admin.ok());
  auto user = auth.create_user({"user@plan.test", "correct horse battery", "U"}, std::nullopt, meta);
  ASSERT_TRUE(user.ok());
  security::Actor admin_actor{admin->id, Role::kAdmin};
  security::Actor user_actor{user->id, Role::kUser};
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(projects.create(user_actor, "p" + std::to_string(i), "", meta).ok());
  }
  auto one = projects.create(user_actor, "target", "", meta);
  ASSERT_TRUE(one.ok());
  ASSERT_TRUE(projects.update(user_actor, one->id, {std::string("renamed"), {}, {}, {}}, meta).ok());
  std::optional<Uuid> source_id, other_source_id;
  for (int i = 0; i < 30; ++i) {
    auto source = data_sources.create(user_actor, one->id, {"s" + std::to_string(i), i % 2 ? "bank" : "ledger", {}},
                                      meta);
    ASSERT_TRUE(source.ok());
    if (source_id && i % 3 != 0) other_source_id = source_id;
    source_id = source->id;
    if (i % 3 == 0) {
      services::DataSourceChanges off;
      off.is_active = false;
      ASSERT_TRUE(data_sources.update(user_actor, source->id, off, meta).ok());
    }
  }
  std::optional<Uuid> file_id;
  for (int i = 0; i < 30; ++i) {
    auto stored = files.upload(user_actor, *source_id, incoming("a,b\n" + std::to_string(i) + ",1\n"), meta);
    ASSERT_TRUE(stored.ok()) << stored.error().message();
    file_id = stored->id;
  }
  {
    auto conn = db.acquire();
    ASSERT_TRUE(conn.ok());
    auto writer = store::RecordWriter::open(**conn, one->id, *source_id, *file_id, now_utc());
    ASSERT_TRUE(writer.ok());
    for (int i = 0; i < 200; ++i) {
      const std::chrono::sys_days date{std::chrono::year{2026} / 1 / (i % 28 + 1)};
      ASSERT_TRUE(writer->add(Uuid::generate_v7(), i + 2, "", date, i * 100 - 5000, "EUR", "", "", "", "{}").ok());
    }
    ASSERT_TRUE(writer->finish().ok());
    // The other side of a reconciliation job: the same amounts a day later, and ten far off.
    auto other = store::RecordWriter::open(**conn, one->id, *other_source_id, *file_id, now_utc());
    ASSERT_TRUE(other.ok());
    for (int i = 0; i < 150; ++i) {
      const std::chrono::sys_days date{std::chrono::year{2026} / 1 / (i % 27 + 2)};
      ASSERT_TRUE(other->add(Uuid::generate_v7(), i + 2, "", date, i * 100 - 5000 + (i >= 140 ? 10'000'000 : 0), "EUR", "", "", "", "{}").ok());
    }
    ASSERT_TRUE(other->finish().ok());
    std::vector<store::FileRowError> errors{{3, "Amount", "x", "not an amount"}, {9, "", "", "3 fields, 4 expected"}};
    ASSERT_TRUE(store::FileRepository::insert_row_errors(**conn, *file_id, errors).ok());
  }
  services::RecordService records(db);
  services::JobService jobs(db, {});
  services::ReviewService reviews(db, reads);
  services::JobRunnerOptions runner_options;
  runner_options.claims.workers = 0;
  services::JobRunner runner(db, metrics, runner_options);
  services::NewJob new_job{"plan", *source_id, *other_source_id, engine::default_rules(), false};
  auto job = jobs.create(user_actor, one->id, new_job, meta);
  ASSERT_TRUE(job.ok()) << job.error().message();
  auto tokens = auth.login("user@plan.test", "correct horse battery", meta);
  ASSERT_TRUE(tokens.ok());
  ASSERT_TRUE(auth.refresh(tokens->refresh_token, meta).ok());
  ASSERT_TRUE(auth.authenticate(tokens->access_token).ok());
  (void)db.take();  // writes above are not what this test is about

  PageRequest page{2, 10};
  ASSERT_TRUE(projects.list(user_actor, std::nullopt, std::nullopt, page).ok());
  ASSERT_TRUE(projects.list(user_actor, std::nullopt, ProjectStatus::kActive, page).ok());
  ASSERT_TRUE(projects.list(admin_actor, std::nullopt, std::nullopt, page).ok());
  ASSERT_TRUE(projects.list(admin_actor, user->id, std::nullopt, page).ok());
  ASSERT_TRUE(projects.get(user_actor, one->id).ok());
  ASSERT_TRUE(data_sources.list(user_actor, one->id, std::nullopt, page).ok());
  ASSERT_TRUE(data_sources.list(user_actor, one->id, std::string("bank"), page).ok());
  ASSERT_TRUE(data_sources.list(admin_actor, one->id, std::nullopt, page).ok());
  ASSERT_TRUE(data_sources.get(user_actor, *source_id).ok());
  ASSERT_TRUE(files.list(user_actor, one->id, std::nullopt, page).ok());
  ASSERT_TRUE(files.list(user_actor, one->id, FileStatus::kUploaded, page).ok());
  ASSERT_TRUE(files.get(user_actor, *file_id).ok());
  ASSERT_TRUE(files.row_errors(user_actor, *file_id, page).ok());
  ASSERT_TRUE(records.list(user_actor, one->id, {}, page).ok());
  store::RecordFilter by_date;
  by_date.date_from = "2026-01-05";
  by_date.date_to = "2026-01-09";
  ASSERT_TRUE(records.list(user_actor, one->id, by_date, page).ok());
  store::RecordFilter by_status;
  by_status.status = RecordStatus::kOpen;
  ASSERT_TRUE(records.list(user_actor, one->id, by_status, page).ok());
  store::RecordFilter everything;
  everything.data_source_id = *source_id;
  everything.file_id = *file_id;
  everything.date_from = "2026-01-01";
  everything.status = RecordStatus::kOpen;
  everything.currency = "EUR";
  everything.amount_min_minor = -100;
  everything.amount_max_minor = 100;
  ASSERT_TRUE(records.list(user_actor, one->id, everything, page).ok());
  EXPECT_EQ(files.upload(user_actor, *source_id, incoming("a,b\n0,1\n"), meta).error().code(), ErrorCode::kConflict);
  ASSERT_TRUE(users.list(admin_actor, page).ok());
  ASSERT_TRUE(users.get(admin_actor, user->id).ok());
  ASSERT_TRUE(auth.me(user_actor).ok());
  ASSERT_TRUE(auth.authenticate(tokens->access_token).ok());
  ASSERT_TRUE(audit.list_for_project(user_actor, one->id, page).ok());
  ASSERT_TRUE(audit.list(admin_actor, {}, page).ok());
  store::AuditFilter by_user;
  by_user.user_id = user->id;
  ASSERT_TRUE(audit.list(admin_actor, by_user, page).ok());
  store::AuditFilter by_resource;
  by_resource.resource_type = "project";
  by_resource.resource_id = one->id.to_string();
  ASSERT_TRUE(audit.list(admin_actor, by_resource, page).ok());
  // Jobs: the runner's reads (recovery, claim, loading the records), then the API's.
  auto ran = runner.run_next();
  ASSERT_TRUE(ran.ok() && *ran) << (ran.ok() ? "no job" : ran.error().message());
  ASSERT_EQ(jobs.get(user_actor, job->id)->status, JobStatus::kCompleted);
  ASSERT_TRUE(jobs.list(user_actor, one->id, std::nullopt, page).ok());
  ASSERT_TRUE(jobs.list(user_actor, one->id, JobStatus::kCompleted, page).ok());
  auto first = jobs.results(user_actor, job->id, {}, std::nullopt, 5);
  ASSERT_TRUE(first.ok() && first->next_cursor) << (first.ok() ? "one page" : first.error().message());
  ASSERT_TRUE(jobs.results(user_actor, job->id, {}, services::decode_result_cursor(*first->next_cursor), 5).ok());
  for (const char* status : {"matched", "unmatched_left", "unmatched_right"}) {
    store::ResultFilter filter = *services::result_status_filter(status);
    filter.min_confidence = 0.0;
    filter.max_confidence = 1.0;
    ASSERT_TRUE(jobs.results(user_actor, job->id, filter, services::decode_result_cursor(*first->next_cursor), 5).ok());
  }
  ASSERT_TRUE(jobs.summary(user_actor, job->id).ok());
  const Uuid result_id = first->items.front().result.id;
  ASSERT_TRUE(jobs.result(user_actor, result_id).ok());
  services::ReviewAction confirm{"confirm", result_id, std::nullopt, {}, {}, std::nullopt, std::nullopt};
  auto confirmed = reviews.apply(user_actor, std::nullopt, confirm, meta);
  ASSERT_TRUE(confirmed.ok()) << confirmed.error().message();
  services::ReviewAction unmatch{"unmatch", std::nullopt, std::nullopt, {}, {}, confirmed->match_id, std::nullopt};
  ASSERT_TRUE(reviews.apply(user_actor, std::nullopt, unmatch, meta).ok());
  store::ResultFilter lefts = *services::result_status_filter("unmatched_left");
  store::ResultFilter rights = *services::result_status_filter("unmatched_right");
  auto left_open = jobs.results(user_actor, job->id, lefts, std::nullopt, 1);
  auto right_open = jobs.results(user_actor, job->id, rights, std::nullopt, 1);
  ASSERT_TRUE(left_open.ok() && right_open.ok() && !left_open->items.empty() && !right_open->items.empty());
  services::ReviewAction manual{"match", std::nullopt, std::nullopt, {left_open->items[0].result.left_ids[0]},
                                {right_open->items[0].result.right_ids[0]}, std::nullopt, std::nullopt};
  // Accepted or refused (amounts checked), its reads are what this test is about.
  (void)reviews.apply(user_actor, job->id, manual, meta);
  // Lookups made by login/refresh.
  ASSERT_FALSE(auth.login("user@plan.test", "wrong password!!", meta).ok());
  ASSERT_FALSE(auth.refresh("no-such-token", meta).ok());

  std::vector<IssuedQuery> issued = db.take();
  int explained = 0;
  auto conn = real.acquire();
  ASSERT_TRUE(conn.ok());
  if (real.dialect() == store::Dialect::kPostgres) {
    ASSERT_TRUE((*conn)->query("SET enable_seqscan = off", {}).ok());
  }
  for (const auto& q : issued) {
    if (q.sql.rfind("SELECT", 0) != 0) continue;  // audit rows written by failed logins, etc.
    auto plan = (*conn)->explain(q.sql, q.params);
    ASSERT_TRUE(plan.ok()) << q.sql << ": " << plan.error().message();
    EXPECT_TRUE(plan_uses_index(real.dialect(), *plan)) << "no index for:\n" << q.sql << "\nplan:\n" << join(*plan);
    ++explained;
  }
  if (real.dialect() == store::Dialect::kPostgres) (void)(*conn)->query("RESET enable_seqscan", {});
  EXPECT_GE(explained, 45);
  std::error_code ec;
  std::filesystem::remove_all(folder, ec);
}

}  // namespace
}  // namespace oeuvre
