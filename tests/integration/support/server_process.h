#pragma once
// The real `oeuvre serve` binary (OEUVRE_BINARY) as a separate node on the database and var folder
// of an in-process TestServer: same store, same JWT secret. Used to test what only separate
// processes show (a worker killed with SIGKILL, several nodes sharing one queue).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "support/child_process.h"
#include "support/test_server.h"

namespace oeuvre::testing {

// Thread-safety: external synchronisation needed.
class ServeProcess {
 public:
  // Starts `oeuvre serve` on `owner`'s database and var folder, on a free port (PORT=0) of
  // 127.0.0.1, with parsing of uploads off (INGEST_WORKERS=0) and `env` added or overriding
  // (JOB_WORKERS, ...). nullptr when it could not be spawned (reported to GoogleTest). REQUIRES:
  // `owner` outlives it, and it is started from the test's main thread (the child is killed when
  // the starting thread ends).
  static std::unique_ptr<ServeProcess> start(const TestServer& owner,
                                             const std::map<std::string, std::string>& env);
  // Kills (SIGKILL) and reaps the process if it still runs, and removes its output folder.
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  // Waits until the server printed the address it listens on; false (reported to GoogleTest with
  // its output) when it exited or did not get there within `timeout`.
  bool wait_until_listening(std::chrono::milliseconds timeout = std::chrono::seconds(60));
  // The port it listens on; 0 before wait_until_listening() succeeded.
  std::uint16_t port() const { return port_; }
  ChildProcess& process() { return *child_; }
  // How the server names itself in a job's `worker` field: host:pid.
  std::string node() const;

 private:
  ServeProcess() = default;

  std::string folder_;
  std::unique_ptr<ChildProcess> child_;
  std::uint16_t port_ = 0;
};

// host:pid of a process of this machine, as servers name themselves in a job's `worker` field.
std::string node_name(long pid);

}  // namespace oeuvre::testing
