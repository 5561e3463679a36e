#include "store/postgres/pg_client_program.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace oeuvre::store {

namespace {

// This process's environment with the URL's settings as libpq's environment variables on top.
Result<std::vector<std::string>> child_environment(const std::string& conninfo) {
  char* message = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &message);
  if (options == nullptr) {
    PQfreemem(message);
    return Error::Validation("DATABASE_URL", "is not a valid PostgreSQL URL");
  }
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) env.emplace_back(*entry);
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || o->envvar == nullptr || *o->val == '\0') continue;
    env.push_back(std::string(o->envvar) + "=" + o->val);
  }
  PQconninfoFree(options);
  return env;
}

// getenv returns the first match: keep only the last entry of each name.
std::vector<std::string> last_of_each_name(const std::vector<std::string>& env) {
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < env.size(); ++i) {
    const std::string name = env[i].substr(0, env[i].find('='));
    bool later = false;
    for (std::size_t j = i + 1; j < env.size() && !later; ++j) later = env[j].compare(0, name.size() + 1, name + "=") == 0;
    if (!later) kept.push_back(env[i]);
  }
  return kept;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

Result<std::unique_ptr<PgClientProgram>> PgClientProgram::start(const std::string& conninfo,
                                                                const std::string& program,
                                                                const std::vector<std::string>& args, Pipe pipe) {
  ASSIGN_OR_RETURN(std::vector<std::string> env_all, child_environment(conninfo));
  std::vector<std::string> env = last_of_each_name(env_all);
  std::vector<std::string> argv{program};
  argv.insert(argv.end(), args.begin(), args.end());
  if (pipe == Pipe::kWriteInput) ::signal(SIGPIPE, SIG_IGN);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error::Unavailable("cannot create a pipe: " + std::string(std::strerror(errno)));
  char stderr_template[] = "/tmp/oeuvre-pg-stderr-XXXXXX";
  const int stderr_fd = ::mkostemp(stderr_template, O_CLOEXEC);
  if (stderr_fd >= 0) ::unlink(stderr_template);
  const bool reading = pipe == Pipe::kReadOutput;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, reading ? fds[1] : fds[0], reading ? STDOUT_FILENO : STDIN_FILENO);
  if (!reading) posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  if (reading) posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (stderr_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stderr_fd, STDERR_FILENO);
  pid_t pid = -1;
  std::vector<char*> argv_ptrs = pointers(argv);
  std::vector<char*> env_ptrs = pointers(env);
  const int rc = ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv_ptrs.data(), env_ptrs.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(reading ? fds[1] : fds[0]);
  const int ours = reading ? fds[0] : fds[1];
  if (rc != 0) {
    ::close(ours);
    if (stderr_fd >= 0) ::close(stderr_fd);
    return Error::Unavailable("cannot run " + program + ": " + std::strerror(rc) +
                              " (install postgresql-client-15)");
  }
  return std::unique_ptr<PgClientProgram>(new PgClientProgram(program, pid, ours, stderr_fd));
}

PgClientProgram::~PgClientProgram() {
  kill();
  if (stderr_fd_ >= 0) ::close(stderr_fd_);
}

void PgClientProgram::kill() {
  if (pipe_fd_ >= 0) ::close(pipe_fd_);
  pipe_fd_ = -1;
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

Result<std::size_t> PgClientProgram::read(std::span<char> out) {
  while (true) {
    const ssize_t n = ::read(pipe_fd_, out.data(), out.size());
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno != EINTR) return Error::Unavailable("cannot read from " + program_ + ": " + std::strerror(errno));
  }
}

Status PgClientProgram::write(std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(pipe_fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::Unavailable(program_ + " stopped reading its input: " + last_error_line());
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return OkStatus();
}

Status PgClientProgram::finish() {
  if (pipe_fd_ >= 0) ::close(pipe_fd_);
  pipe_fd_ = -1;
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) return Error::Unavailable("cannot wait for " + program_);
  }
  pid_ = -1;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return OkStatus();
  const std::string how = WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                            : "signal " + std::to_string(WTERMSIG(status));
  return Error::Unavailable(program_ + " failed (" + how + "): " + last_error_line());
}

std::string PgClientProgram::last_error_line() const {
  if (stderr_fd_ < 0) return "(no error output)";
  const off_t size = ::lseek(stderr_fd_, 0, SEEK_END);
  const off_t from = size > 2048 ? size - 2048 : 0;
  std::string text(static_cast<std::size_t>(size - from), '\0');
  const ssize_t got = ::pread(stderr_fd_, text.data(), text.size(), from);
  text.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  const std::size_t line = text.rfind('\n');
  text = line == std::string::npos ? text : text.substr(line + 1);
  return text.empty() ? "(no error output)" : text;
}

}  // namespace oeuvre::store
