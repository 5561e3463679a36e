#pragma once
// A real S3-compatible server for tests: s3rver (npm, installed by scripts/setup.sh under
// /opt/oeuvre-test-tools, or OEUVRE_S3RVER) on a free loopback port, storing in a temp folder, with
// one bucket. It does not check signatures (tests/unit/aws/sigv4_test.cpp checks ours against
// botocore). It can be stopped and started again on the same port and folder (a store that goes down
// and comes back). Debian's awscli, pointed at it, is the independent client.

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace oeuvre::testing {

struct CommandRun {
  int exit_code = -1;
  std::string output;  // standard output and error
};

class S3TestServer {
 public:
  static constexpr const char* kAccessKey = "S3RVER";  // s3rver's built-in account
  static constexpr const char* kSecretKey = "S3RVER";

  explicit S3TestServer(std::string bucket = "oeuvre-backups");
  ~S3TestServer();
  S3TestServer(const S3TestServer&) = delete;
  S3TestServer& operator=(const S3TestServer&) = delete;

  // False when it failed to start (reported to GoogleTest).
  bool started() const { return child_ != nullptr; }
  bool start();
  void stop();  // SIGKILL: the store vanishes mid-request

  const std::string& bucket() const { return bucket_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& data_dir() const { return data_; }
  // AWS_ENDPOINT_URL, the credentials and the bucket, as the server and the CLI read them.
  std::map<std::string, std::string> env(const std::string& prefix = "backups/") const;
  // Runs Debian's `aws s3 ...` (/usr/bin/aws) against this server with `args`.
  CommandRun aws(const std::vector<std::string>& args) const;

 private:
  std::string bucket_;
  std::filesystem::path dir_;
  std::filesystem::path data_;
  int port_ = 0;
  int starts_ = 0;
  std::unique_ptr<ChildProcess> child_;
};

// Runs `argv` to completion (at most `timeout`) with `env` added; its exit code and output.
CommandRun run_command(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                       const std::filesystem::path& output_path, std::chrono::seconds timeout = std::chrono::seconds(120));

}  // namespace oeuvre::testing
