// A backup taken while a reconciliation job runs restores consistently, on both backends (issue 13,
// acceptance: "A backup during a running job restores consistently").
//
// The job protocol (services/job_runner.h, job_result_writer.h): claiming sets the job 'running';
// heartbeats update its phase and progress in their own transactions; then ONE write transaction
// stores every result row, the auto-confirmed matches, the matched records' status, the counters, the
// 'completed' status and the job.complete audit entry. So every snapshot of the database holds the job
// in exactly one of these states, and a restored backup must show the same:
//   - absent: no job row, and no result, match or audit entry of it either;
//   - queued or running: counters '{}', no result, no match, no record 'matched', no job.complete;
//   - completed: the counters, results, matches, matched records and the audit entry all as in the
//     source once the job ended (the final counts), none partial.
// The test runs `oeuvre backup create` (the real binary) back to back from before the job is created
// until after it completed, restores each backup into an empty database with `oeuvre backup restore`,
// and checks the state of every restored copy; at least one backup must have run entirely inside the
// job's write transaction (measured from the job's own counters), else the test says to raise
// records_per_side().
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <sys/wait.h>

#include "backup/backup_restorer.h"
#include "core/time.h"
#include "support/child_process.h"
#include "support/json_path.h"
#include "support/test_helpers.h"
#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

// Lines per side: enough that writing the job's results (one transaction: results, matches, record
// statuses) lasts several times as long as one `oeuvre backup create` in a Debug + sanitizer build
// (20,000: about 16 s of writing on SQLite, where a backup takes about 1 s; PostgreSQL writes about six
// times faster and a backup through pg_dump takes longer, so it gets more lines).
int records_per_side() { return test_backend_is_postgres() ? 40000 : 20000; }
// Restoring is the slow part (psql on PostgreSQL): at most this many of the backups taken are
// restored, always including every one taken while the job wrote its results.
constexpr std::size_t kMaxRestores = 16;

// A bank statement and a ledger of `rows` lines each; line i of one matches line i of the other.
std::pair<std::string, std::string> generate_sources(int rows) {
  static constexpr char kHeader[] = "id,date,amount,currency,reference,description,counterparty\n";
  std::string left = kHeader;
  std::string right = kHeader;
  char line[256];
  for (int i = 0; i < rows; ++i) {
    const int month = 1 + (i / 28) % 12;
    const int day = 1 + i % 28;
    const long minor = 1000 + (static_cast<long>(i) * 7919) % 500000;
    const int customer = i % 500;
    std::snprintf(line, sizeof line,
                  "B%d,2025-%02d-%02d,%ld.%02ld,EUR,INV-%d,PAYMENT CUSTOMER %d INVOICE %d,CUSTOMER %d\n", i,
                  month, day, minor / 100, minor % 100, i, customer, i, customer);
    left += line;
    std::snprintf(line, sizeof line, "L%d,2025-%02d-%02d,%ld.%02ld,EUR,INV-%d,Invoice %d customer %d,Customer %d Ltd\n",
                  i, month, std::min(day + 1, 28), minor / 100, minor % 100, i, i, customer, customer);
    right += line;
  }
  return {std::move(left), std::move(right)};
}

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

std::int64_t count(store::Connection& conn, std::string_view sql, const std::string& param) {
  const std::vector<store::Value> params{param};
  auto set = conn.query(sql, params);
  EXPECT_TRUE(set.ok()) << sql << ": " << set.error().message();
  return set.ok() ? set->rows.at(0).integer(0) : -1;
}

// The job as one database holds it.
struct JobState {
  std::string status;  // "" when the job is absent
  std::string counters;
  std::int64_t results = 0;
  std::int64_t matches = 0;
  std::int64_t matched_records = 0;
  std::int64_t complete_audits = 0;
  std::int64_t orphan_results = 0;  // results of any job whose job row is missing
  std::int64_t orphan_matches = 0;  // matches pointing at a missing result
  std::int64_t records = 0;
};

JobState read_job_state(const std::string& url, const std::string& job_id, const std::string& project_id) {
  JobState s;
  auto conn = backup::connect_to(url);
  EXPECT_TRUE(conn.ok()) << conn.error().message();
  if (!conn.ok()) return s;
  store::Connection& c = **conn;
  const std::vector<store::Value> id{job_id};
  auto job = c.query("SELECT status, counters FROM reconciliation_jobs WHERE id = $1", id);
  EXPECT_TRUE(job.ok()) << job.error().message();
  if (job.ok() && !job->rows.empty()) {
    s.status = job->rows[0].text(0);
    s.counters = job->rows[0].text(1);
  }
  s.results = count(c, "SELECT count(*) FROM reconciliation_results WHERE job_id = $1", job_id);
  s.matches = count(c, "SELECT count(*) FROM reconciliation_matches WHERE job_id = $1", job_id);
  s.matched_records =
      count(c, "SELECT count(*) FROM records WHERE project_id = $1 AND status = 'matched'", project_id);
  s.records = count(c, "SELECT count(*) FROM records WHERE project_id = $1", project_id);
  s.complete_audits =
      count(c, "SELECT count(*) FROM audit_logs WHERE action = 'job.complete' AND resource_id = $1", job_id);
  s.orphan_results = count(c,
                           "SELECT count(*) FROM reconciliation_results r WHERE r.project_id = $1 AND NOT "
                           "EXISTS (SELECT 1 FROM reconciliation_jobs j WHERE j.id = r.job_id)",
                           project_id);
  s.orphan_matches = count(c,
                           "SELECT count(*) FROM reconciliation_matches m WHERE m.project_id = $1 AND "
                           "m.result_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM reconciliation_results r "
                           "WHERE r.id = m.result_id)",
                           project_id);
  return s;
}

bool empty_counters(const std::string& text) {
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  return !ec && v.is_object() && v.as_object().empty();
}

struct TakenBackup {
  std::string id;
  Timestamp started{};  // the snapshot is taken between started and ended
  Timestamp ended{};
  bool within_write = false;  // started and ended inside the job's write transaction
};

TEST(BackupDuringJobTest, EveryBackupTakenAroundARunningJobRestoresItWholeOrNotAtAll) {
  // The owner runs no jobs: the job stays queued until the worker node starts.
  TestServer owner([](Config& c) { c.job_workers = 0; });
  ASSERT_TRUE(owner.started());
  Session user = owner.register_user("backups@example.com");
  auto project = owner.post("/api/v1/projects", json::object{{"name", "Backed up mid-job"}}, user.access_token);
  ASSERT_EQ(project.status, 201u) << project.body;
  const std::string project_id = json_string(project.json(), "id");
  const int records = records_per_side();
  const auto [left, right] = generate_sources(records);
  std::vector<std::string> sources;
  for (const auto& [kind, content] : {std::pair{"bank", &left}, std::pair{"ledger", &right}}) {
    auto source = owner.post("/api/v1/projects/" + project_id + "/data-sources",
                             json::object{{"name", kind}, {"kind", kind}}, user.access_token);
    ASSERT_EQ(source.status, 201u) << source.body;
    sources.push_back(json_string(source.json(), "id"));
    const json::value file =
        owner.upload_and_wait(sources.back(), *content, user.access_token, std::string(kind) + ".csv").json();
    ASSERT_EQ(json_int(file, "rows_ok"), records) << file;
  }

  const fs::path backup_dir = fresh_dir("backups-during-job");
  const fs::path logs = fresh_dir("backups-during-job-logs");
  int runs = 0;
  auto env = [&](const std::string& var_dir) -> std::map<std::string, std::string> {
    return {{"DATABASE_URL", owner.config().database_url}, {"VAR_DIR", var_dir},
            {"BACKUP_DIR", backup_dir.string()},           {"BACKUP_ENCRYPTION_KEY", kBackupKey},
            {"LOG_LEVEL", "warn"}};
  };
  std::vector<TakenBackup> taken;
  auto take_backup = [&] {
    TakenBackup b;
    b.started = now_utc();
    const CliRun created = run_backup({"create"}, env(owner.config().var_dir),
                                      logs / ("create-" + std::to_string(++runs) + ".log"));
    b.ended = now_utc();
    ASSERT_EQ(created.exit_code, 0) << created.output;
    const auto at = created.output.find("created backup ");
    ASSERT_NE(at, std::string::npos) << created.output;
    b.id = created.output.substr(at + 15, 23);
    taken.push_back(b);
  };

  ASSERT_NO_FATAL_FAILURE(take_backup());  // before the job exists
  auto created = owner.post("/api/v1/projects/" + project_id + "/jobs",
                            json::object{{"name", "Mid-backup"},
                                         {"left_data_source_id", sources[0]},
                                         {"right_data_source_id", sources[1]},
                                         {"auto_confirm", true}},
                            user.access_token);
  ASSERT_EQ(created.status, 201u) << created.body;
  const std::string job_id = json_string(created.json(), "id");
  ASSERT_NO_FATAL_FAILURE(take_backup());  // queued

  // A worker node claims and runs the job; backups are taken back to back until it has ended.
  auto worker = TestServer::sharing(owner, [](Config& c) { c.job_workers = 1; });
  ASSERT_TRUE(worker->started());
  auto watch = backup::connect_to(owner.config().database_url);
  ASSERT_TRUE(watch.ok()) << watch.error().message();
  auto job_status = [&] {
    const std::vector<store::Value> id{job_id};
    auto set = (*watch)->query("SELECT status FROM reconciliation_jobs WHERE id = $1", id);
    return set.ok() && !set->rows.empty() ? set->rows[0].text(0) : std::string("?");
  };
  const auto deadline = std::chrono::steady_clock::now() + 180s;
  std::string status = job_status();
  while ((status == "queued" || status == "running" || status == "?") &&
         std::chrono::steady_clock::now() < deadline) {
    ASSERT_NO_FATAL_FAILURE(take_backup());
    status = job_status();
  }
  ASSERT_EQ(status, "completed") << "the job did not complete within 180 s";
  ASSERT_NO_FATAL_FAILURE(take_backup());  // completed
  worker->stop();

  // The final state, and the write transaction's window from the job's own timings.
  const JobState final_state = read_job_state(owner.config().database_url, job_id, project_id);
  ASSERT_EQ(final_state.status, "completed");
  const json::value counters = json::parse(final_state.counters);
  ASSERT_EQ(json_int(counters, "matched"), records) << counters;
  ASSERT_EQ(final_state.results, json_int(counters, "matched") + json_int(counters, "suggested") +
                                     json_int(counters, "unmatched_left") + json_int(counters, "unmatched_right"))
      << counters;
  ASSERT_EQ(final_state.matches, json_int(counters, "auto_confirmed")) << counters;
  ASSERT_EQ(final_state.matched_records, 2 * records);
  ASSERT_EQ(final_state.complete_audits, 1);
  auto finished = backup::connect_to(owner.config().database_url);
  ASSERT_TRUE(finished.ok());
  const std::vector<store::Value> id{job_id};
  auto finished_row = (*finished)->query("SELECT finished_at FROM reconciliation_jobs WHERE id = $1", id);
  ASSERT_TRUE(finished_row.ok());
  const auto finished_at = parse_timestamp(finished_row->rows.at(0).text(0));
  ASSERT_TRUE(finished_at.has_value()) << finished_row->rows.at(0).text(0);
  const auto write_seconds = json_at(counters, "write_seconds");
  ASSERT_TRUE(write_seconds.is_number()) << counters;
  const Timestamp write_started =
      *finished_at - std::chrono::microseconds(static_cast<std::int64_t>(write_seconds.to_number<double>() * 1e6));
  std::size_t within_write = 0;
  for (TakenBackup& b : taken) {
    b.within_write = b.started >= write_started && b.ended <= *finished_at;
    within_write += b.within_write;
  }

  // Which backups to restore: all of them, or (when there are more than kMaxRestores) every one taken
  // within the write, the first two and the last, and others evenly spread.
  std::vector<std::size_t> chosen;
  for (std::size_t i = 0; i < taken.size(); ++i) {
    if (taken.size() <= kMaxRestores || taken[i].within_write || i < 2 || i + 1 == taken.size()) chosen.push_back(i);
  }
  for (std::size_t step = 1; chosen.size() < kMaxRestores && step < kMaxRestores; ++step) {
    const std::size_t i = step * taken.size() / kMaxRestores;
    if (std::find(chosen.begin(), chosen.end(), i) == chosen.end()) chosen.push_back(i);
  }
  std::sort(chosen.begin(), chosen.end());

  std::map<std::string, int> seen;  // state -> restored backups showing it
  int restored_within_write = 0;
  for (const std::size_t i : chosen) {
    const TakenBackup& b = taken[i];
    SCOPED_TRACE("backup " + std::to_string(i + 1) + " of " + std::to_string(taken.size()) + " (" + b.id +
                 (b.within_write ? ", taken while the job wrote its results)" : ")"));
    TestDatabase target = make_test_database();
    ASSERT_FALSE(target.url.empty());
    const fs::path target_var = fresh_dir("restored-mid-job");
    const CliRun restored = run_backup({"restore", b.id, "--to", target.url}, env(target_var.string()),
                                       logs / ("restore-" + std::to_string(i + 1) + ".log"));
    ASSERT_EQ(restored.exit_code, 0) << restored.output;
    EXPECT_NE(restored.output.find("row counts match the manifest"), std::string::npos) << restored.output;
    const JobState s = read_job_state(target.url, job_id, project_id);
    std::error_code ec;
    fs::remove_all(target_var, ec);

    EXPECT_EQ(s.records, 2 * records) << "the records were parsed before any backup";
    EXPECT_EQ(s.orphan_results, 0) << "results without their job";
    EXPECT_EQ(s.orphan_matches, 0) << "matches without their result";
    const std::string state = s.status.empty() ? "absent" : s.status;
    ++seen[state];
    restored_within_write += b.within_write;
    if (state == "completed") {
      EXPECT_EQ(s.counters, final_state.counters);
      EXPECT_EQ(s.results, final_state.results) << "a completed job with part of its results";
      EXPECT_EQ(s.matches, final_state.matches) << "a completed job with part of its matches";
      EXPECT_EQ(s.matched_records, final_state.matched_records) << "a completed job with part of its records matched";
      EXPECT_EQ(s.complete_audits, 1);
      EXPECT_FALSE(b.within_write) << "a snapshot taken inside the write transaction shows it committed";
    } else {
      EXPECT_TRUE(state == "absent" || state == "queued" || state == "running") << state;
      EXPECT_TRUE(state == "absent" || empty_counters(s.counters)) << s.counters;
      EXPECT_EQ(s.results, 0) << "results of a job that is " << state;
      EXPECT_EQ(s.matches, 0) << "matches of a job that is " << state;
      EXPECT_EQ(s.matched_records, 0) << "records matched by a job that is " << state;
      EXPECT_EQ(s.complete_audits, 0);
      if (b.within_write) {
        EXPECT_EQ(state, "running") << "a snapshot taken inside the write transaction";
      }
    }
  }
  std::printf("note: %zu backups taken (%zu while the job wrote its results for %.2f s), %zu restored:", taken.size(),
              within_write, write_seconds.to_number<double>(), chosen.size());
  for (const auto& [state, n] : seen) std::printf(" %s %d", state.c_str(), n);
  std::printf("\n");
  EXPECT_EQ(seen["absent"], 1);
  EXPECT_GE(seen["queued"] + seen["running"], 1);
  EXPECT_GE(seen["completed"], 1);
  EXPECT_GE(restored_within_write, 1) << "no backup was taken while the job wrote its results ("
                                      << write_seconds.to_number<double>() << " s): raise records_per_side()";
  std::error_code ec;
  fs::remove_all(backup_dir, ec);
  fs::remove_all(logs, ec);
}

}  // namespace
}  // namespace oeuvre::testing
