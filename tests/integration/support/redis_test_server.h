#pragma once
// A real Redis server for tests: Debian's redis-server (/usr/bin/redis-server) on a loopback port,
// with no persistence, in a temp folder, optionally with a password (--requirepass). It can be
// killed and started again on the same port (a cache that goes down and comes back), or frozen
// (SIGSTOP: connections are accepted but nothing answers) to make calls time out.

#include <filesystem>
#include <memory>
#include <string>

#include "support/child_process.h"

namespace oeuvre::testing {

// Thread-safety: external synchronisation needed.
class RedisTestServer {
 public:
  // Starts the server (a failure is reported to GoogleTest: see started()).
  explicit RedisTestServer(std::string password = "");
  ~RedisTestServer();
  RedisTestServer(const RedisTestServer&) = delete;
  RedisTestServer& operator=(const RedisTestServer&) = delete;

  // False when it failed to start (reported to GoogleTest).
  bool started() const { return child_ != nullptr; }
  // Starts it (again) on its port; waits at most 30 s until it answers. False when it failed.
  bool start();
  void stop();    // SIGKILL: the cache vanishes mid-call
  void freeze();  // SIGSTOP: connections are accepted, nothing is answered
  void thaw();    // SIGCONT

  int port() const { return port_; }
  // redis://127.0.0.1:PORT (without the password).
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
  const std::string& password() const { return password_; }

 private:
  bool spawn_and_wait();
  bool answers_as(pid_t pid) const;

  std::string password_;
  std::filesystem::path dir_;
  int port_ = 0;
  int starts_ = 0;
  std::unique_ptr<ChildProcess> child_;
};

}  // namespace oeuvre::testing
