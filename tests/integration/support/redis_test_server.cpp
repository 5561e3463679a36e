#include "support/redis_test_server.h"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <signal.h>

#include <chrono>
#include <random>
#include <thread>

namespace oeuvre::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr const char* kRedisServer = "/usr/bin/redis-server";

// Ports are drawn from below Linux's ephemeral range (32768-60999), so that no outgoing connection
// holds one; a port another server holds makes redis-server exit, and another one is drawn.
constexpr int kFirstPort = 20000;
constexpr int kLastPort = 32000;
constexpr int kPortAttempts = 10;

}  // namespace

RedisTestServer::RedisTestServer(std::string password) : password_(std::move(password)) {
  std::random_device random;
  dir_ = fs::temp_directory_path() / ("oeuvre-redis-" + std::to_string(random()));
  fs::create_directories(dir_);
  if (!fs::exists(kRedisServer)) {
    ADD_FAILURE() << "redis-server is not installed at " << kRedisServer;
    return;
  }
  std::uniform_int_distribution<int> ports(kFirstPort, kLastPort);
  for (int attempt = 1; attempt <= kPortAttempts; ++attempt) {
    port_ = ports(random);
    if (spawn_and_wait()) return;
  }
  ADD_FAILURE() << "redis-server did not start on any of " << kPortAttempts << " ports";
}

RedisTestServer::~RedisTestServer() {
  stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

bool RedisTestServer::start() {
  if (spawn_and_wait()) return true;
  ADD_FAILURE() << "redis-server did not start again on port " << port_;
  return false;
}

void RedisTestServer::stop() {
  if (child_) child_->kill_now();
  child_.reset();
}

void RedisTestServer::freeze() {
  if (child_) child_->signal(SIGSTOP);
}

void RedisTestServer::thaw() {
  if (child_) child_->signal(SIGCONT);
}

// Starts redis-server on port_ and waits until it answers: false (child_ reset) when it exited, as
// it does when the port is taken, or did not answer within 30 s.
bool RedisTestServer::spawn_and_wait() {
  stop();
  // No persistence: a restarted server starts empty, as a cache may.
  std::vector<std::string> argv{kRedisServer, "--port", std::to_string(port_), "--bind",
                                "127.0.0.1"};
  argv.insert(argv.end(), {"--save", "", "--appendonly", "no", "--dir", dir_.string()});
  if (!password_.empty()) argv.insert(argv.end(), {"--requirepass", password_});
  const fs::path log = dir_ / ("redis-" + std::to_string(++starts_) + ".log");
  child_ = ChildProcess::spawn(argv, {}, log.string());
  if (!child_) return false;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (answers_as(child_->pid())) return true;
    if (!child_->running()) {
      child_.reset();
      return false;
    }
    std::this_thread::sleep_for(20ms);
  }
  ADD_FAILURE() << "redis-server did not answer on port " << port_ << " within 30 s:\n"
                << child_->output();
  stop();
  return false;
}

// Whether the server on port_ answers and is the process `pid` (not another test's server).
bool RedisTestServer::answers_as(pid_t pid) const {
  redisContext* context =
      redisConnectWithTimeout("127.0.0.1", port_, timeval{.tv_sec = 1, .tv_usec = 0});
  if (context == nullptr) return false;
  bool ours = false;
  if (context->err == 0 &&
      redisSetTimeout(context, timeval{.tv_sec = 1, .tv_usec = 0}) == REDIS_OK) {
    bool authenticated = true;
    if (!password_.empty()) {
      auto* auth = static_cast<redisReply*>(
          redisCommand(context, "AUTH %b", password_.data(), password_.size()));
      authenticated = auth != nullptr && auth->type == REDIS_REPLY_STATUS;
      if (auth != nullptr) freeReplyObject(auth);
    }
    auto* info =
        authenticated ? static_cast<redisReply*>(redisCommand(context, "INFO server")) : nullptr;
    if (info != nullptr && info->type == REDIS_REPLY_STRING) {
      const std::string text(info->str, info->len);
      ours = text.find("\nprocess_id:" + std::to_string(pid) + "\r") != std::string::npos;
    }
    if (info != nullptr) freeReplyObject(info);
  }
  redisFree(context);
  return ours;
}

}  // namespace oeuvre::testing
