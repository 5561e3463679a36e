#include "support/server_process.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "security/crypto.h"

#ifndef OEUVRE_BINARY
#error "OEUVRE_BINARY (the path of the oeuvre executable) must be defined by the build"
#endif

namespace oeuvre::testing {

std::string node_name(long pid) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] != '\0' ? host : "node") + ":" + std::to_string(pid);
}

std::unique_ptr<ServeProcess> ServeProcess::start(const TestServer& owner,
                                                  const std::map<std::string, std::string>& env) {
  auto serve = std::unique_ptr<ServeProcess>(new ServeProcess());
  serve->folder_ = (std::filesystem::temp_directory_path() /
                    ("oeuvre-serve-" + security::hex_encode(*security::random_bytes(6))))
                       .string();
  std::error_code ec;
  std::filesystem::create_directories(serve->folder_, ec);
  if (ec) {
    ADD_FAILURE() << "cannot create " << serve->folder_ << ": " << ec.message();
    return nullptr;
  }
  std::map<std::string, std::string> settings = {
      {"DATABASE_URL", owner.config().database_url},
      {"VAR_DIR", owner.config().var_dir},
      {"HOST", "127.0.0.1"},
      {"PORT", "0"},
      {"METRICS_PORT", "0"},
      {"PASSWORD_HASH_COST", "minimal"},
      {"LOG_LEVEL", "info"},
      {"INGEST_WORKERS", "0"},
      {"WORKER_THREADS", "2"},
      {"DB_POOL_SIZE", "4"},
      {"SHUTDOWN_GRACE_SECONDS", "5"},
  };
  for (const auto& [name, value] : env) settings[name] = value;
  serve->child_ =
      ChildProcess::spawn({OEUVRE_BINARY, "serve"}, settings, serve->folder_ + "/output.log");
  if (!serve->child_) return nullptr;
  return serve;
}

ServeProcess::~ServeProcess() {
  child_.reset();  // SIGKILL and reap when still running
  std::error_code ec;
  std::filesystem::remove_all(folder_, ec);
}

bool ServeProcess::wait_until_listening(std::chrono::milliseconds timeout) {
  static constexpr std::string_view kMarker = "listening on http://";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const std::string output = child_->output();
    if (const auto at = output.find(kMarker); at != std::string::npos) {
      const auto line_end = output.find('\n', at);
      if (line_end != std::string::npos) {
        const std::string address =
            output.substr(at + kMarker.size(), line_end - at - kMarker.size());
        const auto colon = address.rfind(':');
        const int port = colon == std::string::npos ? 0 : std::atoi(address.c_str() + colon + 1);
        if (port <= 0 || port > 65535) {
          ADD_FAILURE() << "cannot read the port of `oeuvre serve` from: " << address;
          return false;
        }
        port_ = static_cast<std::uint16_t>(port);
        return true;
      }
    }
    if (!child_->running()) {
      ADD_FAILURE() << "`oeuvre serve` ended before listening; its output:\n" << output;
      return false;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "`oeuvre serve` did not listen within " << timeout.count()
                    << " ms; its output:\n"
                    << output;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string ServeProcess::node() const { return node_name(child_->pid()); }

}  // namespace oeuvre::testing
