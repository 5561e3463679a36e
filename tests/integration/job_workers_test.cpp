// The job queue across processes (docs/jobs.md, "Queue and workers"), with the real `oeuvre serve`
// binary as separate nodes on the test's database:
//   - a worker killed with SIGKILL mid-job leaves its job `running` without heartbeats; another
//   node
//     re-queues it once it is stale and runs it again (attempts 2), or fails it with the reason
//     once it had JOB_MAX_ATTEMPTS claims;
//   - a running job that is cancelled stops and writes nothing;
//   - (PostgreSQL) two nodes on one database run each of 20 queued jobs exactly once.
// Children are always killed and reaped in TearDown, every wait is bounded, and every server
// listens on a port it picked itself (PORT=0).
#include <gtest/gtest.h>

#include <cstdlib>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "support/json_path.h"
#include "support/server_process.h"
#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// Lines per side for jobs that must run long enough (a few seconds in a Debug + sanitizer build) to
// be seen running, then killed or cancelled before they end.
constexpr int kLargeRecords = 20000;

// A bank statement and a ledger of `rows` lines each; line i of one matches line i of the other
// (same amount and reference, a day apart at most).
std::pair<std::string, std::string> generate_sources(int rows) {
  static constexpr char kHeader[] = "id,date,amount,currency,reference,description,counterparty\n";
  std::string left = kHeader;
  std::string right = kHeader;
  left.reserve(static_cast<std::size_t>(rows) * 96);
  right.reserve(static_cast<std::size_t>(rows) * 96);
  char line[256];
  for (int i = 0; i < rows; ++i) {
    const int month = 1 + (i / 28) % 12;
    const int day = 1 + i % 28;
    const long minor = 1000 + (static_cast<long>(i) * 7919) % 500000;  // distinct for i < 500000
    const int customer = i % 500;
    std::snprintf(
        line, sizeof line,
        "B%d,2025-%02d-%02d,%ld.%02ld,EUR,INV-%d,PAYMENT CUSTOMER %d INVOICE %d,CUSTOMER %d\n", i,
        month, day, minor / 100, minor % 100, i, customer, i, customer);
    left += line;
    std::snprintf(
        line, sizeof line,
        "L%d,2025-%02d-%02d,%ld.%02ld,EUR,INV-%d,Invoice %d customer %d,Customer %d Ltd\n", i,
        month, std::min(day + 1, 28), minor / 100, minor % 100, i, i, customer, customer);
    right += line;
  }
  return {std::move(left), std::move(right)};
}

class JobWorkersTest : public ::testing::Test {
 protected:
  // A user's project with two parsed data sources of `rows` lines each, on an owner server that
  // runs no jobs itself (JOB_WORKERS=0): jobs created on it stay queued until another node takes
  // them.
  void prepare(int rows) {
    owner_ = std::make_unique<TestServer>([](Config& c) { c.job_workers = 0; });
    ASSERT_TRUE(owner_->started());
    user_ = owner_->register_user("workers@example.com");
    auto project =
        owner_->post("/api/v1/projects", json::object{{"name", "Queue"}}, user_.access_token);
    ASSERT_EQ(project.status, 201u) << project.body;
    project_id_ = json_string(project.json(), "id");
    const auto [left, right] = generate_sources(rows);
    for (auto [id, kind, content] :
         {std::tuple{&left_id_, "bank", &left}, std::tuple{&right_id_, "ledger", &right}}) {
      auto source = owner_->post("/api/v1/projects/" + project_id_ + "/data-sources",
                                 json::object{{"name", kind}, {"kind", kind}}, user_.access_token);
      ASSERT_EQ(source.status, 201u) << source.body;
      *id = json_string(source.json(), "id");
      const json::value file =
          owner_->upload_and_wait(*id, *content, user_.access_token, std::string(kind) + ".csv")
              .json();
      ASSERT_EQ(json_string(file, "status"), "parsed") << file;
      ASSERT_EQ(json_int(file, "rows_ok"), rows) << file;
    }
  }

  // A queued job over both data sources; its id.
  std::string create_job(const std::string& name, json::object extra = {}) {
    extra["name"] = name;
    extra["left_data_source_id"] = left_id_;
    extra["right_data_source_id"] = right_id_;
    auto res = owner_->post("/api/v1/projects/" + project_id_ + "/jobs", extra, user_.access_token);
    EXPECT_EQ(res.status, 201u) << res.body;
    EXPECT_EQ(json_string(res.json(), "status"), "queued") << res.body;
    return json_string(res.json(), "id");
  }

  json::value job(const std::string& id) {
    return owner_->get("/api/v1/jobs/" + id, user_.access_token).json();
  }

  // Waits until `id` has been running for a while: past its loading phase as its heartbeat reports
  // it (matching or writing), or for 1 s (a heartbeat may be late: on SQLite it waits while the job
  // writes). Returns the job as last read; also when it ended, or after 60 s.
  json::value wait_until_well_under_way(const std::string& id) {
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    std::optional<std::chrono::steady_clock::time_point> running_since;
    for (;;) {
      json::value j = job(id);
      const std::string status = json_string(j, "status");
      const std::string phase = json_string(j, "phase");
      const auto now = std::chrono::steady_clock::now();
      if (status == "running" && !running_since) running_since = now;
      if (status != "queued" && status != "running") return j;
      if (status == "running" && (phase != "loading" || now - *running_since >= 1s)) return j;
      if (now > deadline) return j;
      std::this_thread::sleep_for(20ms);
    }
  }

  // An `oeuvre serve` node on the owner's database; nullptr when it did not start (reported).
  ServeProcess* spawn_node(const std::map<std::string, std::string>& env) {
    auto node = ServeProcess::start(*owner_, env);
    if (!node) return nullptr;
    nodes_.push_back(std::move(node));
    return nodes_.back()->wait_until_listening() ? nodes_.back().get() : nullptr;
  }

  // Lets a spawned node claim `job_id`, waits until the job is well under way, and kills the node
  // with SIGKILL: the job is left `running`, its heartbeat silent. Fails the test when the job
  // ended first (too little data).
  void kill_worker_mid_job(const std::string& job_id) {
    ServeProcess* worker = spawn_node({{"JOB_WORKERS", "1"}, {"JOB_STALE_AFTER_SECONDS", "60"}});
    ASSERT_NE(worker, nullptr);
    const json::value seen = wait_until_well_under_way(job_id);
    ASSERT_EQ(json_string(seen, "status"), "running") << seen << "\nthe node's output:\n"
                                                      << worker->process().output();
    EXPECT_EQ(json_string(seen, "worker"), worker->node()) << seen;
    EXPECT_EQ(json_int(seen, "attempts"), 1);
    const int status = worker->process().kill_now();
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the node ended on its own: " << describe_wait_status(status) << "\n"
        << worker->process().output();
    const json::value after = job(job_id);
    ASSERT_EQ(json_string(after, "status"), "running")
        << "the job ended before its worker was killed; raise kLargeRecords: " << after;
  }

  void TearDown() override {
    for (auto& node : nodes_) node->process().stop(10s);  // SIGTERM, then SIGKILL; always reaped
    nodes_.clear();
    if (second_) second_->stop();
    second_.reset();
    owner_.reset();
  }

  std::unique_ptr<TestServer> owner_;   // owns the database and the var folder
  std::unique_ptr<TestServer> second_;  // an in-process node on the owner's database
  std::vector<std::unique_ptr<ServeProcess>> nodes_;
  Session user_;
  std::string project_id_;
  std::string left_id_;
  std::string right_id_;
};

TEST_F(JobWorkersTest, AJobWhoseWorkerWasKilledIsRunAgainByAnotherNode) {
  ASSERT_NO_FATAL_FAILURE(prepare(kLargeRecords));
  const std::string id = create_job("killed mid-way");
  ASSERT_NO_FATAL_FAILURE(kill_worker_mid_job(id));

  // A node that considers a job stale after 2 s of silence hands it on and runs it.
  second_ = TestServer::sharing(*owner_, [](Config& c) {
    c.job_workers = 1;
    c.job_stale_after_seconds = 2;
    c.job_max_attempts = 3;
  });
  ASSERT_TRUE(second_->started());
  const json::value done = owner_->wait_for_job(id, user_.access_token, 50s).json();
  ASSERT_EQ(json_string(done, "status"), "completed") << done;
  EXPECT_EQ(json_int(done, "attempts"), 2) << done;
  EXPECT_EQ(json_string(done, "worker"), node_name(::getpid())) << done;
  EXPECT_TRUE(json_at(done, "error").is_null()) << done;
  EXPECT_EQ(json_int(done, "counters.left_records"), kLargeRecords) << done;
  EXPECT_EQ(json_int(done, "counters.right_records"), kLargeRecords) << done;
  EXPECT_EQ(json_int(done, "counters.matched"), kLargeRecords) << done;
  auto summary = owner_->get("/api/v1/jobs/" + id + "/summary", user_.access_token);
  ASSERT_EQ(summary.status, 200u) << summary.body;
  EXPECT_EQ(json_int(summary.json(), "groups.matched"), kLargeRecords)
      << "every result once: " << summary.body;
}

TEST_F(JobWorkersTest, AJobWhoseWorkerDiedTooOftenFailsWithTheReason) {
  ASSERT_NO_FATAL_FAILURE(prepare(kLargeRecords));
  const std::string id = create_job("killed, never retried");
  ASSERT_NO_FATAL_FAILURE(kill_worker_mid_job(id));

  second_ = TestServer::sharing(*owner_, [](Config& c) {
    c.job_workers = 1;
    c.job_stale_after_seconds = 2;
    c.job_max_attempts = 1;
  });
  ASSERT_TRUE(second_->started());
  const json::value failed = owner_->wait_for_job(id, user_.access_token, 30s).json();
  ASSERT_EQ(json_string(failed, "status"), "failed") << failed;
  EXPECT_EQ(json_int(failed, "attempts"), 1) << "not claimed again: " << failed;
  const std::string error = json_string(failed, "error");
  EXPECT_NE(error, "<absent>") << failed;
  EXPECT_FALSE(error.empty()) << failed;
  std::string lowered = error;
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_TRUE(
      lowered.find("respond") != std::string::npos ||
      lowered.find("attempt") != std::string::npos || lowered.find("stale") != std::string::npos ||
      lowered.find("heartbeat") != std::string::npos || lowered.find("died") != std::string::npos)
      << "the error should say that the job's worker stopped: " << error;
  EXPECT_TRUE(json_at(failed, "finished_at").is_string()) << failed;
  auto results = owner_->get("/api/v1/jobs/" + id + "/results", user_.access_token);
  ASSERT_EQ(results.status, 200u) << results.body;
  EXPECT_TRUE(json_array(results.json(), "items").empty())
      << "a failed job has no results: " << results.body;
}

TEST_F(JobWorkersTest, ARunningJobThatIsCancelledStopsAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(prepare(kLargeRecords));
  const std::string id = create_job("cancelled mid-way", {{"auto_confirm", true}});
  second_ = TestServer::sharing(*owner_, [](Config& c) { c.job_workers = 1; });
  ASSERT_TRUE(second_->started());
  const json::value running = wait_until_well_under_way(id);
  ASSERT_EQ(json_string(running, "status"), "running") << running;

  const auto asked = std::chrono::steady_clock::now();
  auto cancel = owner_->post("/api/v1/jobs/" + id + "/cancel", json::object{}, user_.access_token);
  // SQLite has one writer: while the job writes its results in one transaction, other writes wait
  // for the lock and then answer 503 (documented in docs/jobs.md). Retry as a client would.
  const bool sqlite = std::string(std::getenv("OEUVRE_TEST_BACKEND") ? std::getenv("OEUVRE_TEST_BACKEND") : "") == "sqlite";
  for (int i = 0; sqlite && cancel.status == 503u && i < 20; ++i) {
    cancel = owner_->post("/api/v1/jobs/" + id + "/cancel", json::object{}, user_.access_token);
  }
  if (cancel.status == 409u && sqlite) GTEST_SKIP() << "the job completed while the cancel waited for SQLite's lock";
  ASSERT_EQ(cancel.status, 200u)
      << "a running job's cancel is accepted (409 here would mean the job ended "
         "first: raise kLargeRecords): "
      << cancel.body;
  const std::string status = json_string(cancel.json(), "status");
  EXPECT_TRUE(
      (status == "running" && json_at(cancel.json(), "cancel_requested") == json::value(true)) ||
      status == "cancelled")
      << cancel.body;
  const json::value done = owner_->wait_for_job(id, user_.access_token, 30s).json();
  const auto took = std::chrono::steady_clock::now() - asked;
  ASSERT_EQ(json_string(done, "status"), "cancelled") << done;
  // "Its worker stops within about a second": the next heartbeat (every second) sees the request.
  // On SQLite a cancel that arrives during the write is seen once the write lock is free.
  EXPECT_LT(took, sqlite ? 15s : 3s) << "a cancelled job stops within about a second";
  EXPECT_EQ(json_at(done, "counters"), json::value(json::object{})) << done;
  auto results = owner_->get("/api/v1/jobs/" + id + "/results", user_.access_token);
  ASSERT_EQ(results.status, 200u) << results.body;
  EXPECT_TRUE(json_array(results.json(), "items").empty()) << results.body;
  auto matched = owner_->get(
      "/api/v1/projects/" + project_id_ + "/records?status=matched&per_page=1", user_.access_token);
  EXPECT_EQ(json_int(matched.json(), "total"), 0)
      << "auto_confirm wrote matches of a cancelled job: " << matched.body;
  EXPECT_EQ(
      owner_->post("/api/v1/jobs/" + id + "/cancel", json::object{}, user_.access_token).status,
      409u);
}

TEST_F(JobWorkersTest, TwoNodesOnOneDatabaseRunEachQueuedJobOnce) {
  if (!test_backend_is_postgres()) {
    GTEST_SKIP() << "SQLite has a single writer: nodes sharing a database need PostgreSQL";
  }
  constexpr int kJobs = 20;
  constexpr int kRows = 300;
  ASSERT_NO_FATAL_FAILURE(prepare(kRows));
  std::set<std::string> ids;
  for (int i = 0; i < kJobs; ++i) ids.insert(create_job("job " + std::to_string(i)));
  ASSERT_EQ(ids.size(), static_cast<std::size_t>(kJobs));

  ServeProcess* a = spawn_node({{"JOB_WORKERS", "1"}});
  ServeProcess* b = spawn_node({{"JOB_WORKERS", "1"}});
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);

  json::array jobs;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  for (;;) {
    auto list =
        owner_->get("/api/v1/projects/" + project_id_ + "/jobs?per_page=100", user_.access_token);
    ASSERT_EQ(list.status, 200u) << list.body;
    jobs = json_array(list.json(), "items");
    const auto ended = std::count_if(jobs.begin(), jobs.end(), [](const json::value& j) {
      const std::string s = json_string(j, "status");
      return s == "completed" || s == "failed" || s == "cancelled";
    });
    if (ended == kJobs) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline)
        << ended << " of " << kJobs << " jobs ended within 60 s\nnode a:\n"
        << a->process().output() << "\nnode b:\n"
        << b->process().output();
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(jobs.size(), static_cast<std::size_t>(kJobs));
  std::map<std::string, int> by_node;
  for (const auto& j : jobs) {
    SCOPED_TRACE(json_string(j, "name"));
    EXPECT_TRUE(ids.contains(json_string(j, "id")));
    EXPECT_EQ(json_string(j, "status"), "completed") << j;
    EXPECT_EQ(json_int(j, "attempts"), 1) << "claimed more than once: " << j;
    EXPECT_EQ(json_int(j, "counters.left_records"), kRows) << j;
    const std::string worker = json_string(j, "worker");
    EXPECT_TRUE(worker == a->node() || worker == b->node())
        << worker << " is neither " << a->node() << " nor " << b->node();
    ++by_node[worker];
  }
  if (by_node.size() < 2) {
    // Not a failure: a node that started first may drain the queue before the other polls it.
    std::printf("note: one node ran all %d jobs (%s)\n", kJobs,
                by_node.empty() ? "" : by_node.begin()->first.c_str());
  }
}

}  // namespace
}  // namespace oeuvre::testing
