// The one claim protocol (store/claim_queue.h, services/claimed_work.h), tested once for both of
// its queues (files to parse, reconciliation jobs to run) on both backends: claim, heartbeat,
// finish; fencing (a stale token writes nothing); hand back on shutdown; re-queue when stale; give
// up after N attempts, whether the worker died or the store kept refusing the work; and two nodes
// (two connection pools) racing for one item: exactly one wins.
#include <gtest/gtest.h>

#include <atomic>
#include <barrier>
#include <thread>

#include "observability/metrics.h"
#include "security/crypto.h"
#include "services/auth_service.h"
#include "services/claimed_work.h"
#include "services/data_source_service.h"
#include "services/project_service.h"
#include "store/file_repository.h"
#include "store/job_repository.h"
#include "store/migrations.h"
#include "store/transaction.h"
#include "support/test_database.h"

namespace oeuvre {
namespace {

using namespace std::chrono_literals;

// A migrated database with a project and two data sources to hang items on.
struct World {
  TestDatabase test_db = make_test_database();
  std::unique_ptr<store::Database> db = open();
  Uuid project_id;
  Uuid left_id;
  Uuid right_id;
  int items = 0;

  World() {
    EXPECT_TRUE(store::apply_migrations(*db).ok());
    obs::Metrics metrics;
    services::AuthSettings settings;
    settings.jwt_secret = "tK8vW2qZ7nB4xR9mL1cF6hJ3pD0sG5yA";  // random: low-entropy secrets verify nothing
    settings.password_cost = security::PasswordCost::minimal();
    const services::RequestMeta meta{"claim-test", "127.0.0.1", "tests"};
    services::CachedReads reads(*db, nullptr);  // no cache: these tests are about claims
    auto user = services::AuthService(*db, settings, metrics, reads)
                    .create_user({"claims@example.com", "correct horse battery", "C"}, std::nullopt, meta);
    EXPECT_TRUE(user.ok());
    const security::Actor actor{user->id, Role::kUser};
    auto project = services::ProjectService(*db, reads).create(actor, "claims", "", meta);
    EXPECT_TRUE(project.ok());
    project_id = project->id;
    for (Uuid* id : {&left_id, &right_id}) {
      auto source =
          services::DataSourceService(*db, reads).create(actor, project_id, {"side", "bank", {}}, meta);
      EXPECT_TRUE(source.ok());
      *id = source->id;
    }
  }
  ~World() { db->close(); }

  // Another node: a pool of its own on the same database.
  std::unique_ptr<store::Database> open() const {
    auto opened = store::open_database({test_db.url, 4, std::chrono::milliseconds(10000)});
    EXPECT_TRUE(opened.ok());
    return std::move(*opened);
  }
  // Items are queued a millisecond apart, so the oldest is the first added.
  Timestamp next_time() {
    return now_utc() - std::chrono::hours(1) + std::chrono::milliseconds(++items);
  }
};

// The files table as a queue.
struct Files {
  using Item = store::StoredFile;
  static constexpr const char* kWaiting = "uploaded";
  static constexpr const char* kClaimed = "parsing";
  static constexpr const char* kDone = "parsed";

  static std::unique_ptr<store::ClaimQueueOf<Item>> queue() {
    return std::make_unique<store::FileQueue>();
  }
  static Uuid add(World& w) {
    store::StoredFile f;
    f.id = Uuid::generate_v7();
    f.project_id = w.project_id;
    f.data_source_id = w.left_id;
    f.filename = "f.csv";
    f.content_type = "text/csv";
    f.sha256 = f.id.to_string();
    f.storage_key = f.id.to_string();
    f.status = *parse_file_status(kWaiting);
    f.created_at = f.updated_at = w.next_time();
    EXPECT_TRUE(store::with_connection(*w.db, [&](store::Connection& c) {
                  return store::FileRepository::insert(c, f);
                }).ok());
    return f.id;
  }
  static Result<bool> finish(store::Connection& c, const Uuid& id, const std::string& token,
                             const char* status, const std::optional<std::string>& error) {
    return store::FileRepository::finish(c, id, token, *parse_file_status(status), 1, 0, error, std::nullopt,
                                         now_utc());
  }
  static Item read(World& w, const Uuid& id) {
    auto file = store::with_connection(
        *w.db, [&](store::Connection& c) { return store::FileRepository::find(c, id); });
    EXPECT_TRUE(file.ok() && file->has_value());
    return **file;
  }
};

// The reconciliation jobs table as a queue.
struct Jobs {
  using Item = store::Job;
  static constexpr const char* kWaiting = "queued";
  static constexpr const char* kClaimed = "running";
  static constexpr const char* kDone = "completed";

  static std::unique_ptr<store::ClaimQueueOf<Item>> queue() {
    return std::make_unique<store::JobQueue>("test:1");
  }
  static Uuid add(World& w) {
    store::Job j;
    j.id = Uuid::generate_v7();
    j.project_id = w.project_id;
    j.name = "job";
    j.left_data_source_id = w.left_id;
    j.right_data_source_id = w.right_id;
    j.created_at = j.updated_at = w.next_time();
    EXPECT_TRUE(store::with_connection(*w.db, [&](store::Connection& c) {
                  return store::JobRepository::insert(c, j);
                }).ok());
    return j.id;
  }
  static Result<bool> finish(store::Connection& c, const Uuid& id, const std::string& token,
                             const char* status, const std::optional<std::string>& error) {
    return store::JobRepository::finish(c, id, token, *parse_job_status(status), "{}", "[]", error, now_utc());
  }
  static Item read(World& w, const Uuid& id) {
    auto job = store::with_connection(
        *w.db, [&](store::Connection& c) { return store::JobRepository::find_visible(c, id); });
    EXPECT_TRUE(job.ok() && job->has_value());
    return (*job)->job;
  }
};

template <class Q>
class ClaimProtocolTest : public ::testing::Test {
 protected:
  using Item = typename Q::Item;

  std::optional<Item> claim(const std::string& token, store::Database* db = nullptr) {
    auto claimed = store::in_transaction(db ? *db : *w.db, true, [&](store::Connection& c) {
      return queue->claim_next(c, token, now_utc());
    });
    EXPECT_TRUE(claimed.ok()) << claimed.error().message();
    return claimed.ok() ? *claimed : std::nullopt;
  }
  store::ClaimState heartbeat(const Uuid& id, const std::string& token) {
    auto beat = store::with_connection(*w.db, [&](store::Connection& c) {
      return queue->heartbeat(c, id, token, {"loading", 0.5, 2, 1}, now_utc());
    });
    EXPECT_TRUE(beat.ok());
    return beat.ok() ? *beat : store::ClaimState::kLost;
  }
  bool finish(const Uuid& id, const std::string& token) {
    auto done = store::with_connection(*w.db, [&](store::Connection& c) {
      return Q::finish(c, id, token, Q::kDone, std::nullopt);
    });
    EXPECT_TRUE(done.ok());
    return done.ok() && *done;
  }
  bool hand_back(const Uuid& id, const std::string& token, bool counted) {
    auto back = store::with_connection(*w.db, [&](store::Connection& c) {
      return queue->hand_back(c, id, token, counted, now_utc());
    });
    EXPECT_TRUE(back.ok());
    return back.ok() && *back;
  }
  // Recovers the claims silent for 10 minutes, as seen `from_now` from now.
  std::int64_t recover(std::chrono::minutes from_now, std::int64_t max_attempts) {
    const Timestamp at = now_utc() + from_now;
    auto recovered = store::in_transaction(*w.db, true, [&](store::Connection& c) {
      return queue->recover_stale(c, at, at - 10min, max_attempts);
    });
    EXPECT_TRUE(recovered.ok());
    return recovered.ok() ? *recovered : -1;
  }
  std::string status(const Uuid& id) { return std::string(to_string(Q::read(w, id).status)); }

  // A ClaimedWork over the queue whose `run` is the test's; fails items with the reason and records
  // the outcomes the protocol reports.
  std::unique_ptr<services::ClaimedWork<Item>> work(
      std::function<Status(const Item&, services::Claim&)> run,
      services::ClaimOptions options = fast_options()) {
    return std::make_unique<services::ClaimedWork<Item>>(
        "test work", *w.db, Q::queue(), options,
        typename services::ClaimedWork<Item>::Handlers{
            std::move(run),
            [](store::Connection& c, const Item& item, const services::Claim& claim,
               const std::string& reason) -> Status {
              ASSIGN_OR_RETURN(bool kept, Q::finish(c, item.id, claim.token(), "failed", reason));
              if (!kept) return Error::Conflict("the claim was lost");
              return OkStatus();
            },
            [this](const Item&, const services::Claim&, std::string_view outcome,
                   const std::string&) {
              std::lock_guard lock(mu);
              outcomes.emplace_back(outcome);
            }});
  }
  static services::ClaimOptions fast_options() {
    services::ClaimOptions options;
    options.workers = 0;
    options.heartbeat_every = 20ms;
    options.retry_backoff = 1ms;
    return options;
  }

  World w;
  std::unique_ptr<store::ClaimQueueOf<Item>> queue = Q::queue();
  std::mutex mu;
  std::vector<std::string> outcomes;  // guarded by mu
};

using Queues = ::testing::Types<Files, Jobs>;
class QueueNames {
 public:
  template <class Q>
  static std::string GetName(int) {
    return std::is_same_v<Q, Files> ? "Files" : "Jobs";
  }
};
TYPED_TEST_SUITE(ClaimProtocolTest, Queues, QueueNames);

TYPED_TEST(ClaimProtocolTest, ClaimsOldestFirstHeartbeatsAndOnlyTheClaimantFinishes) {
  using Q = TypeParam;
  const Uuid first = Q::add(this->w);
  const Uuid second = Q::add(this->w);
  auto a = this->claim("token-a");
  auto b = this->claim("token-b");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->id, first);
  EXPECT_EQ(b->id, second);
  EXPECT_EQ(a->attempts, 1);
  EXPECT_EQ(to_string(a->status), Q::kClaimed);
  EXPECT_FALSE(this->claim("token-c").has_value()) << "nothing left to claim";

  EXPECT_EQ(this->heartbeat(first, "token-a"), store::ClaimState::kHeld);
  EXPECT_EQ(this->heartbeat(first, "token-b"), store::ClaimState::kLost) << "another claim's token";
  EXPECT_FALSE(this->finish(first, "token-b")) << "another worker's token must not finish the item";
  EXPECT_TRUE(this->finish(first, "token-a"));
  EXPECT_EQ(this->status(first), Q::kDone);
  EXPECT_FALSE(this->finish(first, "token-a")) << "a finished claim cannot finish twice";
  EXPECT_EQ(this->heartbeat(first, "token-a"), store::ClaimState::kLost);
  EXPECT_FALSE(this->hand_back(first, "token-a", false));
}

TYPED_TEST(ClaimProtocolTest, AStaleClaimIsHandedOnAndItsFirstHolderCanNoLongerWrite) {
  using Q = TypeParam;
  const Uuid id = Q::add(this->w);
  ASSERT_TRUE(this->claim("slow-worker"));
  EXPECT_EQ(this->recover(0min, 3), 0) << "a claim with a fresh heartbeat is not stale";
  EXPECT_EQ(this->status(id), Q::kClaimed);
  // Later, its heartbeat silent for longer than the threshold, the claim is handed on.
  EXPECT_EQ(this->recover(20min, 3), 1);
  EXPECT_EQ(this->status(id), Q::kWaiting);
  auto second = this->claim("fresh-worker");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->id, id);
  EXPECT_EQ(second->attempts, 2);
  EXPECT_EQ(this->heartbeat(id, "slow-worker"), store::ClaimState::kLost)
      << "the first worker learns it lost";
  EXPECT_FALSE(this->finish(id, "slow-worker")) << "a stale token writes nothing";
  EXPECT_FALSE(this->hand_back(id, "slow-worker", false));
  EXPECT_TRUE(this->finish(id, "fresh-worker"));
}

TYPED_TEST(ClaimProtocolTest, AnItemWhoseWorkerKeepsDyingFailsAfterMaxAttemptsWithTheReason) {
  using Q = TypeParam;
  const Uuid id = Q::add(this->w);
  ASSERT_TRUE(this->claim("first"));
  EXPECT_EQ(this->recover(20min, 2), 1);
  EXPECT_EQ(this->status(id), Q::kWaiting) << "one claim of two: tried again";
  auto second = this->claim("second");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->attempts, 2);
  EXPECT_EQ(this->recover(20min, 2), 1);
  const auto item = Q::read(this->w, id);
  EXPECT_EQ(to_string(item.status), "failed");
  EXPECT_EQ(item.attempts, 2);
  ASSERT_TRUE(item.error.has_value());
  EXPECT_NE(item.error->find("stopped responding 2 time(s)"), std::string::npos) << *item.error;
  EXPECT_FALSE(this->claim("third").has_value()) << "a failed item is not claimed again";
  EXPECT_FALSE(this->finish(id, "second"));
}

TYPED_TEST(ClaimProtocolTest, AHandedBackItemWaitsAgainItsAttemptCountedOnlyWhenItFailed) {
  using Q = TypeParam;
  const Uuid id = Q::add(this->w);
  ASSERT_TRUE(this->claim("stopping-node"));
  EXPECT_FALSE(this->hand_back(id, "someone-else", false)) << "fenced";
  EXPECT_TRUE(this->hand_back(id, "stopping-node", false));
  auto item = Q::read(this->w, id);
  EXPECT_EQ(to_string(item.status), Q::kWaiting);
  EXPECT_EQ(item.attempts, 0) << "a shutdown does not count";
  EXPECT_FALSE(this->hand_back(id, "stopping-node", false)) << "the claim ended";
  auto again = this->claim("next");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->attempts, 1);
  EXPECT_TRUE(this->hand_back(id, "next", true));
  EXPECT_EQ(Q::read(this->w, id).attempts, 1) << "a failed attempt counts";
  auto third = this->claim("third");
  ASSERT_TRUE(third);
  EXPECT_EQ(third->attempts, 2);
}

TYPED_TEST(ClaimProtocolTest, TwoNodesRacingForOneItemExactlyOneWins) {
  using Q = TypeParam;
  const Uuid id = Q::add(this->w);
  std::unique_ptr<store::Database> other = this->w.open();
  constexpr int kPerNode = 4;
  std::barrier start(2 * kPerNode);
  std::atomic<int> won{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < 2 * kPerNode; ++i) {
    store::Database& node = i % 2 == 0 ? *this->w.db : *other;
    racers.emplace_back([&, i] {
      auto queue = Q::queue();
      const std::string token = "racer-" + std::to_string(i);
      start.arrive_and_wait();
      auto claimed = store::in_transaction(
          node, true, [&](store::Connection& c) { return queue->claim_next(c, token, now_utc()); });
      if (!claimed.ok()) {
        ++errors;
      } else if (claimed->has_value()) {
        EXPECT_EQ((*claimed)->id, id);
        ++won;
      }
    });
  }
  for (auto& t : racers) t.join();
  other->close();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(won.load(), 1);
  const auto item = Q::read(this->w, id);
  EXPECT_EQ(to_string(item.status), Q::kClaimed);
  EXPECT_EQ(item.attempts, 1) << "claimed once";
}

TYPED_TEST(ClaimProtocolTest, TheWorkRunsUnderAHeartbeatAndEndsItsItemItself) {
  using Q = TypeParam;
  const Uuid id = Q::add(this->w);
  auto work = this->work([&](const typename Q::Item& item, services::Claim& claim) -> Status {
    EXPECT_EQ(item.id, id);
    EXPECT_EQ(claim.attempt(), 1);
    claim.report({"loading", 0.25, 4, 1});
    auto state = claim.check();
    EXPECT_TRUE(state.ok() && *state == store::ClaimState::kHeld);
    EXPECT_DOUBLE_EQ(Q::read(this->w, id).progress, 0.25) << "the heartbeat wrote the progress";
    auto done = store::with_connection(*this->w.db, [&](store::Connection& c) {
      return Q::finish(c, item.id, claim.token(), Q::kDone, std::nullopt);
    });
    EXPECT_TRUE(done.ok() && *done);
    return OkStatus();
  });
  auto did = work->run_next();
  ASSERT_TRUE(did.ok()) << did.error().message();
  EXPECT_TRUE(*did);
  EXPECT_EQ(this->status(id), Q::kDone);
  EXPECT_TRUE(this->outcomes.empty()) << "the work ended the item";
  auto idle = work->run_next();
  ASSERT_TRUE(idle.ok());
  EXPECT_FALSE(*idle) << "nothing left";
}

TYPED_TEST(ClaimProtocolTest, AStoppingNodeHandsItsItemBackUncounted) {
  using Q = TypeParam;
  const Uuid id = Q::add(this->w);
  auto work = this->work([&](const typename Q::Item&, services::Claim& claim) -> Status {
    EXPECT_TRUE(claim.stopping());
    EXPECT_TRUE(claim.aborted());
    return Error::Unavailable("the work was stopped");
  });
  work->stop();
  auto did = work->run_next();
  ASSERT_TRUE(did.ok()) << did.error().message();
  const auto item = Q::read(this->w, id);
  EXPECT_EQ(to_string(item.status), Q::kWaiting);
  EXPECT_EQ(item.attempts, 0);
  EXPECT_EQ(this->outcomes, std::vector<std::string>{"handed_back"});
}

TYPED_TEST(ClaimProtocolTest,
           AStoreThatKeepsRefusingTheWorkFailsTheItemAfterMaxAttemptsWithTheRealReason) {
  using Q = TypeParam;
  const Uuid id = Q::add(this->w);
  int runs = 0;
  auto work = this->work([&](const typename Q::Item&, services::Claim&) -> Status {
    ++runs;
    return Error::Unavailable("the records could not be stored: database or disk is full");
  });
  for (int i = 0; i < 3; ++i) {
    auto did = work->run_next();
    ASSERT_TRUE(did.ok()) << did.error().message();
    EXPECT_TRUE(*did);
  }
  EXPECT_EQ(runs, 3);
  const auto item = Q::read(this->w, id);
  EXPECT_EQ(to_string(item.status), "failed");
  EXPECT_EQ(item.attempts, 3);
  ASSERT_TRUE(item.error.has_value());
  EXPECT_EQ(*item.error,
            "the records could not be stored: database or disk is full (gave up after 3 attempts)");
  EXPECT_EQ(this->outcomes, (std::vector<std::string>{"handed_back", "handed_back", "failed"}));
  auto idle = work->run_next();
  ASSERT_TRUE(idle.ok());
  EXPECT_FALSE(*idle) << "not retried forever";
}

TYPED_TEST(ClaimProtocolTest, AWorkerWhoseClaimWasHandedOnAbortsAndWritesNothing) {
  using Q = TypeParam;
  const Uuid id = Q::add(this->w);
  std::string thief;
  auto work = this->work([&](const typename Q::Item&, services::Claim& claim) -> Status {
    // Another node finds the claim stale and takes the item.
    EXPECT_EQ(this->recover(20min, 3), 1);
    auto taken = this->claim("thief");
    EXPECT_TRUE(taken.has_value());
    // The next heartbeat tells this worker (bounded wait: 20 ms heartbeats).
    for (int i = 0; i < 500 && !claim.aborted(); ++i) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(claim.lost());
    auto done = store::with_connection(*this->w.db, [&](store::Connection& c) {
      return Q::finish(c, id, claim.token(), Q::kDone, std::nullopt);
    });
    EXPECT_TRUE(done.ok() && !*done) << "fenced";
    return Error::Unavailable("stopped: the claim was lost");
  });
  auto did = work->run_next();
  ASSERT_TRUE(did.ok()) << did.error().message();
  const auto item = Q::read(this->w, id);
  EXPECT_EQ(to_string(item.status), Q::kClaimed) << "still the thief's";
  EXPECT_EQ(item.attempts, 2);
  EXPECT_EQ(this->outcomes, std::vector<std::string>{"lost"});
  EXPECT_TRUE(this->finish(id, "thief"));
}

TYPED_TEST(ClaimProtocolTest, AnyOtherErrorFailsTheItemWithItsMessage) {
  using Q = TypeParam;
  const Uuid id = Q::add(this->w);
  auto work = this->work([&](const typename Q::Item&, services::Claim&) -> Status {
    return Error::BadRequest("the file is not a table");
  });
  ASSERT_TRUE(work->run_next().ok());
  const auto item = Q::read(this->w, id);
  EXPECT_EQ(to_string(item.status), "failed");
  EXPECT_EQ(item.error.value_or(""), "the file is not a table");
  EXPECT_EQ(this->outcomes, std::vector<std::string>{"failed"});
}

}  // namespace
}  // namespace oeuvre
