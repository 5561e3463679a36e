#pragma once
// A child process for tests: spawned with posix_spawn (safe while the test runs threads), its
// standard output and error written to a file, signalled and reaped with bounded waits. The
// destructor kills (SIGKILL) and reaps a child still running, so a failing test never leaves one
// behind.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace oeuvre::testing {

// Thread-safety: external synchronisation needed.
class ChildProcess {
 public:
  // Starts `argv[0]` (a path) with `argv` and the test's environment, `env` added or overriding,
  // its standard input from /dev/null and its standard output and error into `output_path` (created
  // or truncated). Returns nullptr when it could not be started (the reason is reported to
  // GoogleTest).
  static std::unique_ptr<ChildProcess> spawn(const std::vector<std::string>& argv,
                                             const std::map<std::string, std::string>& env,
                                             const std::string& output_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // True until the child has been reaped (a zombie not yet reaped counts as running).
  bool running();
  // Sends `signal` to a running child; false when it has already been reaped.
  bool signal(int signal);
  // Waits at most `timeout` for the child to end and reaps it. Its wait status (as from waitpid)
  // once it has ended, nullopt when it is still running.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
  // SIGTERM, up to `grace` for it to end, then SIGKILL; always reaps. The wait status.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // SIGKILL and reap at once. The wait status.
  int kill_now();
  // What the child wrote so far (standard output and error).
  std::string output() const;

 private:
  ChildProcess(pid_t pid, std::string output_path)
      : pid_(pid), output_path_(std::move(output_path)) {}
  bool try_reap();

  pid_t pid_;
  std::string output_path_;
  std::optional<int> wait_status_;  // set once reaped
};

// A readable "exited with 3" / "killed by signal 9" for a wait status.
std::string describe_wait_status(int status);

}  // namespace oeuvre::testing
