#include "support/child_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace oeuvre::testing {

namespace {

// NAME=VALUE strings of the current environment with `overrides` applied.
std::vector<std::string> environment_with(const std::map<std::string, std::string>& overrides) {
  std::map<std::string, std::string> merged;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq == std::string::npos) continue;
    merged[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [name, value] : overrides) merged[name] = value;
  std::vector<std::string> out;
  out.reserve(merged.size());
  for (const auto& [name, value] : merged) out.push_back(name + "=" + value);
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exited with " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

std::unique_ptr<ChildProcess> ChildProcess::spawn(const std::vector<std::string>& argv,
                                                  const std::map<std::string, std::string>& env,
                                                  const std::string& output_path) {
  if (argv.empty()) {
    ADD_FAILURE() << "ChildProcess::spawn: no program";
    return nullptr;
  }
  // Everything the child needs is prepared before fork(): between fork() and execve() a child of a
  // multi-threaded process may only make async-signal-safe calls.
  std::vector<std::string> args = argv;
  std::vector<std::string> environment = environment_with(env);
  std::vector<char*> c_args = c_strings(args);
  std::vector<char*> c_env = c_strings(environment);
  const int out = ::open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) {
    ADD_FAILURE() << "cannot create " << output_path << ": " << std::strerror(errno);
    return nullptr;
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    ::close(out);
    ADD_FAILURE() << "fork: " << std::strerror(error);
    return nullptr;
  }
  if (pid == 0) {
    // The child dies with the test process (the forking thread: the test's main thread), so a
    // crashed or killed test run leaves no server behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    const int in = ::open("/dev/null", O_RDONLY);
    if (in < 0 || ::dup2(in, STDIN_FILENO) < 0 || ::dup2(out, STDOUT_FILENO) < 0 ||
        ::dup2(out, STDERR_FILENO) < 0) {
      ::_exit(126);
    }
    ::execve(c_args[0], c_args.data(), c_env.data());
    static constexpr char kFailed[] = "execve failed\n";
    [[maybe_unused]] const auto written = ::write(STDERR_FILENO, kFailed, sizeof kFailed - 1);
    ::_exit(127);
  }
  ::close(out);
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid, output_path));
}

ChildProcess::~ChildProcess() {
  if (!wait_status_) kill_now();
}

bool ChildProcess::try_reap() {
  if (wait_status_) return true;
  int status = 0;
  const pid_t done = ::waitpid(pid_, &status, WNOHANG);
  if (done == pid_) {
    wait_status_ = status;
    return true;
  }
  if (done < 0 && errno == ECHILD) {  // reaped elsewhere: nothing more to wait for
    wait_status_ = 0;
    return true;
  }
  return false;
}

bool ChildProcess::running() { return !try_reap(); }

bool ChildProcess::signal(int sig) {
  if (try_reap()) return false;
  return ::kill(pid_, sig) == 0;
}

std::optional<int> ChildProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!try_reap()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return wait_status_;
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
  if (signal(SIGTERM)) {
    if (auto status = wait_for_exit(grace)) return *status;
  }
  return kill_now();
}

int ChildProcess::kill_now() {
  if (try_reap()) return *wait_status_;
  ::kill(pid_, SIGKILL);
  // SIGKILL cannot be caught; the bound only guards against an unkillable (uninterruptible) child.
  if (auto status = wait_for_exit(std::chrono::seconds(30))) return *status;
  ADD_FAILURE() << "child " << pid_ << " did not die within 30 s of SIGKILL";
  return -1;
}

std::string ChildProcess::output() const {
  std::ifstream in(output_path_, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace oeuvre::testing
