// The L2 cache's Redis access against a real redis-server: URLs, binary-safe values and their time
// to live, AUTH, pub/sub; Redis killed (calls fail fast, the breaker opens, calls succeed again
// once it is back), frozen (calls time out), and the subscriber losing and regaining its
// subscription.
#include "cache/redis_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "observability/log.h"
#include "support/redis_test_server.h"

namespace oeuvre::testing {
namespace {

using namespace std::chrono_literals;
using cache::RedisClient;
using cache::RedisOptions;
using cache::RedisSubscriber;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kSecret = "hunter2";

std::chrono::milliseconds since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// Options for `url` with a short open_for, so tests see the breaker close again quickly.
RedisOptions options_for(const std::string& url) {
  const Result<cache::RedisEndpoint> endpoint = cache::parse_redis_url(url);
  EXPECT_TRUE(endpoint.ok()) << endpoint.error().message();
  RedisOptions options;
  if (endpoint.ok()) options.endpoint = *endpoint;
  options.open_for = 200ms;
  return options;
}

// Polls `done` every 20 ms until it holds or `timeout` passed; its last answer.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 3s) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

// What a subscriber's callbacks saw, for the test to wait on.
struct SubscriberEvents {
  std::mutex mu;
  std::condition_variable changed;
  std::vector<std::string> messages;  // guarded by mu
  int subscriptions = 0;              // guarded by mu
  int losses = 0;                     // guarded by mu

  // Waits at most `timeout` until `condition` (called under mu) holds.
  bool wait(const std::function<bool(const SubscriberEvents&)>& condition,
            std::chrono::milliseconds timeout = 3s) {
    std::unique_lock lock(mu);
    return changed.wait_for(lock, timeout, [&] { return condition(*this); });
  }
};

std::unique_ptr<RedisSubscriber> subscribe(const RedisOptions& options, const std::string& channel,
                                           SubscriberEvents& events) {
  auto record = [&events](auto change) {
    {
      std::lock_guard lock(events.mu);
      change();
    }
    events.changed.notify_all();
  };
  return std::make_unique<RedisSubscriber>(
      options, channel,
      [&events, record](std::string_view m) { record([&] { events.messages.emplace_back(m); }); },
      [&events, record] { record([&] { ++events.subscriptions; }); },
      [&events, record] { record([&] { ++events.losses; }); });
}

// ---------------------------------------------------------------------------------------------
// URLs

TEST(RedisUrl, ParsesHostPortCredentialsAndDatabase) {
  auto plain = cache::parse_redis_url("redis://cache.internal");
  ASSERT_TRUE(plain.ok()) << plain.error().message();
  EXPECT_EQ(plain->host, "cache.internal");
  EXPECT_EQ(plain->port, 6379);
  EXPECT_EQ(plain->username, "");
  EXPECT_EQ(plain->password, "");
  EXPECT_EQ(plain->database, 0);

  auto full = cache::parse_redis_url("  REDIS://alice:p%40ss%3Aw%2Frd@10.0.0.5:6380/15\n");
  ASSERT_TRUE(full.ok()) << full.error().message();
  EXPECT_EQ(full->host, "10.0.0.5");
  EXPECT_EQ(full->port, 6380);
  EXPECT_EQ(full->username, "alice");
  EXPECT_EQ(full->password, "p@ss:w/rd");
  EXPECT_EQ(full->database, 15);

  auto password_only = cache::parse_redis_url("redis://:hunter2@localhost:7000/");
  ASSERT_TRUE(password_only.ok()) << password_only.error().message();
  EXPECT_EQ(password_only->username, "");
  EXPECT_EQ(password_only->password, "hunter2");
  EXPECT_EQ(password_only->port, 7000);
  EXPECT_EQ(password_only->database, 0);

  auto ipv6 = cache::parse_redis_url("redis://[::1]:6390/2");
  ASSERT_TRUE(ipv6.ok()) << ipv6.error().message();
  EXPECT_EQ(ipv6->host, "::1");
  EXPECT_EQ(ipv6->port, 6390);
  EXPECT_EQ(ipv6->database, 2);
}

TEST(RedisUrl, RefusesWhatItCannotUseWithoutEchoingThePassword) {
  const std::vector<std::string> bad = {
      "",
      "hunter2",
      "cache:6379",
      "rediss://:hunter2@cache:6379",
      "http://:hunter2@cache",
      "redis://:hunter2@",
      "redis://:hunter2@cache:port",
      "redis://:hunter2@cache:70000",
      "redis://:hunter2@cache:0",
      "redis://:hunter2@cache/db1",
      "redis://:hunter2@cache/1/2",
      "redis://:hunter2@cache?db=1",
      "redis://hunter2@cache",
      "redis://:hunter2@cache:6379#x",
  };
  for (const std::string& url : bad) {
    auto parsed = cache::parse_redis_url(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_EQ(parsed.error().code(), ErrorCode::kValidation) << url;
    EXPECT_EQ(parsed.error().message().find(kSecret), std::string::npos)
        << url << " -> " << parsed.error().message();
    ASSERT_EQ(parsed.error().field_errors().size(), 1u);
    EXPECT_EQ(parsed.error().field_errors()[0].field, "REDIS_URL");
  }
  auto tls = cache::parse_redis_url("rediss://:hunter2@cache:6379");
  ASSERT_FALSE(tls.ok());
  EXPECT_NE(tls.error().message().find("TLS"), std::string::npos) << tls.error().message();
}

// ---------------------------------------------------------------------------------------------
// Commands

TEST(RedisClient, StoresReadsAndDeletesBinaryValues) {
  RedisTestServer server;
  ASSERT_TRUE(server.started());
  RedisClient client(options_for(server.url()));

  std::string value;
  for (int i = 0; i < 256; ++i) value.push_back(static_cast<char>(i));
  value += std::string("\0\0tail\0", 7);
  const std::string key("project\0:7", 10);
  ASSERT_TRUE(client.set(key, value, 60s).ok());
  ASSERT_TRUE(client.set("other", "x", 60s).ok());

  auto got = client.get(key);
  ASSERT_TRUE(got.ok()) << got.error().message();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, value);
  EXPECT_EQ(client.get(std::string("project")).value(), std::nullopt);  // the NUL is part of it

  ASSERT_TRUE(client.del({key, "other", "never-there"}).ok());
  EXPECT_EQ(client.get(key).value(), std::nullopt);
  EXPECT_EQ(client.get("other").value(), std::nullopt);
  EXPECT_TRUE(client.del({}).ok());
  EXPECT_TRUE(client.publish("nobody-listens", "hello").ok());
  EXPECT_EQ(client.stats().errors, 0u);
}

TEST(RedisClient, ValuesExpireAfterTheirTimeToLive) {
  RedisTestServer server;
  ASSERT_TRUE(server.started());
  RedisClient client(options_for(server.url()));
  const auto stored = Clock::now();
  ASSERT_TRUE(client.set("short", "lived", 150ms).ok());
  ASSERT_TRUE(client.set("long", "lived", 60s).ok());
  EXPECT_EQ(client.get("short").value(), "lived");
  EXPECT_TRUE(eventually([&] { return client.get("short").value() == std::nullopt; }));
  EXPECT_GE(since(stored), 150ms);
  EXPECT_EQ(client.get("long").value(), "lived");
}

TEST(RedisClient, LogsInWithAPassword) {
  RedisTestServer server("p@ss w:rd");
  ASSERT_TRUE(server.started());
  const std::string where = "127.0.0.1:" + std::to_string(server.port());

  RedisClient client(options_for("redis://:p%40ss%20w%3Ard@" + where + "/3"));
  ASSERT_TRUE(client.set("k", "v", 60s).ok());
  EXPECT_EQ(client.get("k").value(), "v");
  RedisClient as_default_user(options_for("redis://default:p%40ss%20w%3Ard@" + where + "/3"));
  EXPECT_EQ(as_default_user.get("k").value(), "v");
  RedisClient other_database(options_for("redis://:p%40ss%20w%3Ard@" + where));
  EXPECT_EQ(other_database.get("k").value(), std::nullopt);

  RedisClient wrong(options_for("redis://:" + std::string(kSecret) + "@" + where));
  auto refused = wrong.get("k");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(refused.error().message().find(kSecret), std::string::npos)
      << refused.error().message();

  RedisClient anonymous(options_for(server.url()));
  auto anonymous_get = anonymous.get("k");
  ASSERT_FALSE(anonymous_get.ok());
  EXPECT_EQ(anonymous_get.error().code(), ErrorCode::kUnavailable);
}

TEST(RedisClient, FailsFastWhileRedisIsDownThenRecovers) {
  RedisTestServer server;
  ASSERT_TRUE(server.started());
  RedisOptions options = options_for(server.url());
  options.failures_to_open = 3;
  RedisClient client(options);
  ASSERT_TRUE(client.set("k", "v", 60s).ok());
  EXPECT_FALSE(client.stats().breaker_open);

  server.stop();
  for (int i = 0; i < 3; ++i) {
    const auto start = Clock::now();
    auto got = client.get("k");
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().code(), ErrorCode::kUnavailable);
    EXPECT_LT(since(start), options.connect_timeout + options.command_timeout + 200ms);
  }
  EXPECT_TRUE(client.stats().breaker_open);
  EXPECT_EQ(client.stats().breaker_opens, 1u);

  // Open: refused at once, without touching the network.
  const auto start = Clock::now();
  auto refused = client.set("k", "v", 60s);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
  EXPECT_NE(refused.error().message().find("circuit breaker"), std::string::npos)
      << refused.error().message();
  EXPECT_LT(since(start), 100ms);
  EXPECT_EQ(client.stats().errors, 4u);

  // After open_for one trial goes to the network; it fails, so the breaker opens again.
  std::this_thread::sleep_for(options.open_for + 20ms);
  auto trial = client.get("k");
  ASSERT_FALSE(trial.ok());
  EXPECT_NE(trial.error().message().find("cannot connect"), std::string::npos)
      << trial.error().message();
  EXPECT_EQ(client.stats().breaker_opens, 2u);
  auto after_trial = client.get("k");
  ASSERT_FALSE(after_trial.ok());
  EXPECT_NE(after_trial.error().message().find("circuit breaker"), std::string::npos)
      << after_trial.error().message();

  // Back on the same port: the next trial after open_for succeeds and closes the breaker.
  ASSERT_TRUE(server.start());
  const auto restarted = Clock::now();
  EXPECT_TRUE(eventually([&] { return client.set("k", "again", 60s).ok(); }));
  EXPECT_LT(since(restarted), 2s);
  EXPECT_FALSE(client.stats().breaker_open);
  EXPECT_EQ(client.get("k").value(), "again");
}

TEST(RedisClient, TimesOutWhenRedisDoesNotAnswer) {
  RedisTestServer server;
  ASSERT_TRUE(server.started());
  RedisOptions options = options_for(server.url());
  RedisClient client(options);
  ASSERT_TRUE(client.set("k", "v", 60s).ok());

  server.freeze();
  for (int i = 0; i < 2; ++i) {  // on the pooled connection, then on a new one
    const auto start = Clock::now();
    auto got = client.get("k");
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().code(), ErrorCode::kUnavailable);
    EXPECT_NE(got.error().message().find("no reply within 100 ms"), std::string::npos)
        << got.error().message();
    EXPECT_GE(since(start), options.command_timeout - 10ms);
    EXPECT_LT(since(start), options.connect_timeout + options.command_timeout + 200ms);
  }
  server.thaw();
  EXPECT_TRUE(eventually([&] {
    auto got = client.get("k");
    return got.ok() && *got == "v";
  }));
}

TEST(RedisClient, WarnsAtMostOncePerIntervalAndNeverShowsThePassword) {
  RedisTestServer server;
  ASSERT_TRUE(server.started());
  RedisOptions options = options_for("redis://:" + std::string(kSecret) +
                                     "@127.0.0.1:" + std::to_string(server.port()));
  server.stop();
  options.failures_to_open = 100;  // every call goes to the network
  options.warn_interval = 300ms;
  RedisClient client(options);

  ::testing::internal::CaptureStderr();
  const auto first = Clock::now();
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(client.get("k").ok());
  const bool within_interval = since(first) < options.warn_interval;
  std::this_thread::sleep_for(options.warn_interval + 50ms);
  EXPECT_FALSE(client.set("k", "payload-7f3a", 60s).ok());
  obs::flush_logs();
  const std::string out = ::testing::internal::GetCapturedStderr();

  EXPECT_EQ(client.stats().errors, 6u);
  EXPECT_EQ(out.find(kSecret), std::string::npos) << out;
  EXPECT_EQ(out.find("payload-7f3a"), std::string::npos) << out;
  if (!within_interval) GTEST_SKIP() << "the 5 calls took longer than the interval";
  std::vector<std::string> warnings;
  for (std::size_t at = 0, end; (end = out.find('\n', at)) != std::string::npos; at = end + 1) {
    const std::string line = out.substr(at, end - at);
    if (line.find("outgoing call failed") != std::string::npos) warnings.push_back(line);
  }
  ASSERT_EQ(warnings.size(), 2u) << out;
  EXPECT_NE(warnings[0].find(R"("service":"redis")"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find(R"("operation":"GET")"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find(R"("suppressed":0)"), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[1].find(R"("operation":"SET")"), std::string::npos) << warnings[1];
  EXPECT_NE(warnings[1].find(R"("suppressed":4)"), std::string::npos) << warnings[1];
}

TEST(RedisClient, ManyThreadsShareTheConnections) {
  RedisTestServer server;
  ASSERT_TRUE(server.started());
  RedisOptions options = options_for(server.url());
  options.max_connections = 4;
  options.command_timeout = 1s;  // slow sanitizer builds: waiting for a connection is not a failure
  RedisClient client(options);

  constexpr int kThreads = 16;
  constexpr int kRounds = 150;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        const std::string key = "thread:" + std::to_string(t);
        const std::string value = std::to_string(t) + ":" + std::to_string(i);
        if (!client.set(key, value, 60s).ok()) ++failures;
        auto got = client.get(key);
        if (!got.ok() || *got != value) ++failures;
        if (!client.get("shared").ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(client.stats().errors, 0u);
}

// ---------------------------------------------------------------------------------------------
// Subscriber

TEST(RedisSubscriber, ReceivesWhatIsPublished) {
  RedisTestServer server("s3cret");
  ASSERT_TRUE(server.started());
  const RedisOptions options =
      options_for("redis://:s3cret@127.0.0.1:" + std::to_string(server.port()));
  SubscriberEvents events;
  auto subscriber = subscribe(options, "invalidations", events);
  ASSERT_TRUE(events.wait([](const SubscriberEvents& e) { return e.subscriptions == 1; }));
  EXPECT_TRUE(subscriber->subscribed());

  RedisClient client(options);
  const std::string binary("project:\0:7", 11);
  ASSERT_TRUE(client.publish("invalidations", "project:1").ok());
  ASSERT_TRUE(client.publish("elsewhere", "not for us").ok());
  ASSERT_TRUE(client.publish("invalidations", binary).ok());
  ASSERT_TRUE(events.wait([](const SubscriberEvents& e) { return e.messages.size() >= 2; }));
  std::lock_guard lock(events.mu);
  EXPECT_EQ(events.messages, (std::vector<std::string>{"project:1", binary}));
  EXPECT_EQ(events.losses, 0);
}

TEST(RedisSubscriber, ReportsTheLossAndSubscribesAgainWhenRedisComesBack) {
  RedisTestServer server;
  ASSERT_TRUE(server.started());
  const RedisOptions options = options_for(server.url());
  SubscriberEvents events;
  auto subscriber = subscribe(options, "invalidations", events);
  ASSERT_TRUE(events.wait([](const SubscriberEvents& e) { return e.subscriptions == 1; }));

  server.stop();
  ASSERT_TRUE(events.wait([](const SubscriberEvents& e) { return e.losses == 1; }, 1s));
  EXPECT_FALSE(subscriber->subscribed());
  std::this_thread::sleep_for(300ms);  // a few failed attempts while Redis is down
  {
    std::lock_guard lock(events.mu);
    EXPECT_EQ(events.losses, 1);  // once per loss, not per failed attempt
  }

  ASSERT_TRUE(server.start());
  ASSERT_TRUE(events.wait([](const SubscriberEvents& e) { return e.subscriptions == 2; }));
  EXPECT_TRUE(subscriber->subscribed());
  RedisClient client(options);
  ASSERT_TRUE(client.publish("invalidations", "after the restart").ok());
  ASSERT_TRUE(events.wait([](const SubscriberEvents& e) { return e.messages.size() == 1; }));
  std::lock_guard lock(events.mu);
  EXPECT_EQ(events.messages.front(), "after the restart");
  EXPECT_EQ(events.losses, 1);
}

TEST(RedisSubscriber, TriesAgainWhenTheSubscriptionIsNotConfirmed) {
  RedisTestServer server;
  ASSERT_TRUE(server.started());
  server.freeze();  // connections are accepted, SUBSCRIBE is never answered
  SubscriberEvents events;
  auto subscriber = subscribe(options_for(server.url()), "invalidations", events);
  std::this_thread::sleep_for(400ms);
  EXPECT_FALSE(subscriber->subscribed());
  server.thaw();
  ASSERT_TRUE(events.wait([](const SubscriberEvents& e) { return e.subscriptions == 1; }));
  RedisClient client(options_for(server.url()));
  ASSERT_TRUE(client.publish("invalidations", "hello").ok());
  ASSERT_TRUE(events.wait([](const SubscriberEvents& e) { return e.messages.size() == 1; }));
  std::lock_guard lock(events.mu);
  EXPECT_EQ(events.losses, 0);
}

TEST(RedisSubscriber, StopsPromptlyWhateverRedisDoes) {
  RedisTestServer server;
  ASSERT_TRUE(server.started());
  const RedisOptions options = options_for(server.url());
  {
    SubscriberEvents events;
    auto subscriber = subscribe(options, "invalidations", events);
    ASSERT_TRUE(events.wait([](const SubscriberEvents& e) { return e.subscriptions == 1; }));
    server.freeze();  // connected, and nothing comes
    std::this_thread::sleep_for(50ms);
    const auto start = Clock::now();
    subscriber.reset();
    EXPECT_LT(since(start), 300ms);
  }
  server.thaw();
  server.stop();
  {
    SubscriberEvents events;
    auto subscriber = subscribe(options, "invalidations", events);
    std::this_thread::sleep_for(1s);  // waiting between attempts (up to 800 ms by now)
    const auto start = Clock::now();
    subscriber.reset();
    EXPECT_LT(since(start), 300ms);
    std::lock_guard lock(events.mu);
    EXPECT_EQ(events.subscriptions, 0);
    EXPECT_EQ(events.losses, 0);  // never subscribed, so nothing was lost
  }
}

}  // namespace
}  // namespace oeuvre::testing
