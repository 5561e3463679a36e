#pragma once
// A PostgreSQL client program (pg_dump, psql) run against a database URL, with one pipe to it: its
// standard output to read (pg_dump) or its standard input to write (psql). The URL's settings reach
// the child as libpq's own environment variables (PGHOST, PGPASSWORD, ...), never on its command
// line, so no password shows in a process list. Its standard error is kept in an unlinked temp file
// and its last line quoted when it fails.
// Thread-safety: external synchronisation needed. Writing to a child's standard input ignores
// SIGPIPE process-wide (a child that dies must fail the write, not kill the server).

#include <sys/types.h>

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace oeuvre::store {

class PgClientProgram {
 public:
  enum class Pipe { kReadOutput, kWriteInput };
  // Starts `program` (found on PATH) with `args` against the database `conninfo` (a postgres:// URL).
  // kValidation when libpq cannot parse the URL, kUnavailable when the program cannot be started.
  static Result<std::unique_ptr<PgClientProgram>> start(const std::string& conninfo, const std::string& program,
                                                        const std::vector<std::string>& args, Pipe pipe);
  ~PgClientProgram();  // kills and reaps a child still running
  PgClientProgram(const PgClientProgram&) = delete;
  PgClientProgram& operator=(const PgClientProgram&) = delete;

  // kReadOutput: up to out.size() bytes of its output, 0 at its end.
  Result<std::size_t> read(std::span<char> out);
  // kWriteInput: all of `data` to its input; kUnavailable when it has stopped reading.
  Status write(std::string_view data);
  // Closes our end of the pipe and waits for the child: ok when it exited with 0, else kUnavailable
  // quoting its last error line.
  Status finish();
  // Kills the child (SIGKILL) and reaps it: for a psql whose transaction must not commit.
  void kill();

 private:
  PgClientProgram(std::string program, pid_t pid, int pipe_fd, int stderr_fd)
      : program_(std::move(program)), pid_(pid), pipe_fd_(pipe_fd), stderr_fd_(stderr_fd) {}
  std::string last_error_line() const;

  std::string program_;
  pid_t pid_;
  int pipe_fd_;
  int stderr_fd_;
};

}  // namespace oeuvre::store
