#pragma once
// Small helpers the integration tests share: a fresh temp folder, waiting for a condition, one
// metric read from a server's /metrics, and the backup tests' key.

#include <chrono>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <thread>

#include "support/test_server.h"

namespace oeuvre::testing {

// The BACKUP_ENCRYPTION_KEY the backup tests use (32 bytes, hex).
inline constexpr const char* kBackupKey = "8f2b0c6d1e3a4f5b6c7d8e9fa0b1c2d3e4f5061728394a5b6c7d8e9f0a1b2c3d";

// A new, empty folder under the temp directory: oeuvre-<name>-<random>.
inline std::filesystem::path fresh_dir(const std::string& name) {
  std::random_device random;
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("oeuvre-" + name + "-" + std::to_string(random()));
  std::filesystem::create_directories(dir);
  return dir;
}

// Polls `done` every 200 ms until it holds or `timeout` passed; its last answer.
inline bool wait_until(const std::function<bool()>& done, std::chrono::seconds timeout = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return done();
}

// The value of a series in `server`'s /metrics text, named as exposed (with its labels, if it has
// any: `oeuvre_cache_requests_total{cache="projects",level="l1",result="hit"}`); -1 when absent.
inline double metric(TestServer& server, const std::string& name) {
  const std::string text = server.scrape().body;
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name.size() + 2));
}

}  // namespace oeuvre::testing
