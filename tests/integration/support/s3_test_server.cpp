#include "support/s3_test_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <thread>

namespace oeuvre::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return ok;
}

std::string s3rver_path() {
  if (const char* path = std::getenv("OEUVRE_S3RVER")) return path;
  return "/opt/oeuvre-test-tools/node_modules/.bin/s3rver";
}

}  // namespace

S3TestServer::S3TestServer(std::string bucket) : bucket_(std::move(bucket)) {
  dir_ = fs::temp_directory_path() / ("oeuvre-s3-" + std::to_string(std::random_device{}()));
  data_ = dir_ / "data";
  fs::create_directories(data_);
  port_ = free_loopback_port();
  start();
}

S3TestServer::~S3TestServer() {
  stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

bool S3TestServer::start() {
  if (!fs::exists(s3rver_path())) {
    ADD_FAILURE() << "s3rver is not installed at " << s3rver_path() << " (run scripts/setup.sh)";
    return false;
  }
  child_ = ChildProcess::spawn({s3rver_path(), "-d", data_.string(), "-a", "127.0.0.1", "-p", std::to_string(port_),
                                "--silent", "--configure-bucket", bucket_},
                               {}, (dir_ / ("s3rver-" + std::to_string(++starts_) + ".log")).string());
  if (!child_) return false;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (accepts_connections(port_)) return true;
    if (!child_->running()) break;
    std::this_thread::sleep_for(100ms);
  }
  ADD_FAILURE() << "s3rver did not start on port " << port_ << ":\n" << child_->output();
  child_.reset();
  return false;
}

void S3TestServer::stop() {
  if (child_) child_->kill_now();
  child_.reset();
}

std::map<std::string, std::string> S3TestServer::env(const std::string& prefix) const {
  return {{"BACKUP_S3_BUCKET", bucket_},
          {"BACKUP_S3_PREFIX", prefix},
          {"AWS_ENDPOINT_URL", endpoint()},
          {"AWS_REGION", "us-east-1"},
          {"AWS_ACCESS_KEY_ID", kAccessKey},
          {"AWS_SECRET_ACCESS_KEY", kSecretKey}};
}

CommandRun S3TestServer::aws(const std::vector<std::string>& args) const {
  std::vector<std::string> argv{"/usr/bin/aws", "--endpoint-url", endpoint(), "--no-cli-pager"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv,
                     {{"AWS_ACCESS_KEY_ID", kAccessKey},
                      {"AWS_SECRET_ACCESS_KEY", kSecretKey},
                      {"AWS_DEFAULT_REGION", "us-east-1"},
                      {"AWS_CONFIG_FILE", "/dev/null"},
                      {"AWS_SHARED_CREDENTIALS_FILE", "/dev/null"}},
                     dir_ / ("aws-" + std::to_string(std::random_device{}()) + ".log"));
}

CommandRun run_command(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                       const fs::path& output_path, std::chrono::seconds timeout) {
  CommandRun run;
  auto child = ChildProcess::spawn(argv, env, output_path.string());
  if (!child) return run;
  const std::optional<int> status = child->wait_for_exit(timeout);
  run.output = child->output();
  if (!status) {
    child->kill_now();
    run.output += "\n(timed out after " + std::to_string(timeout.count()) + " s)";
    return run;
  }
  run.exit_code = WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status);
  std::error_code ec;
  fs::remove(output_path, ec);
  return run;
}

}  // namespace oeuvre::testing
