// Secrets from AWS Secrets Manager, against a local endpoint speaking its JSON protocol
// (tests/support/fake_secrets_manager.py) that recomputes every request's SigV4 signature with
// python3-botocore: the real `oeuvre serve` reads its JWT key there; a rotation (AWSCURRENT ->
// AWSPREVIOUS) during traffic logs nobody out; the endpoint going down keeps the last good value and
// counts the failures; a missing, denied, slow or wrongly signed secret stops the start with one line
// naming the secret; and no secret value appears in the server's log, any response, /metrics or the
// audit rows.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "backup/backup_restorer.h"
#include "security/jwt_keyring.h"
#include "support/json_path.h"
#include "support/s3_test_server.h"
#include "support/server_process.h"
#include "support/test_server.h"

namespace oeuvre::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace std::chrono_literals;

constexpr const char* kAccessKey = "AKIDOEUVRETEST";
constexpr const char* kSecretKey = "wJalrXUtnFEMIoeuvreTESTKEYbPxRfiCY";
constexpr const char* kKey1 = "Hq7Vw2Lm9Xz4Rt1Yb6Nc3Kd8Jf5Gs0Pa";
constexpr const char* kKey2 = "Tb4Np8Qx1Zc7Vm3Lk6Rj9Hw2Gf5Ds0Ya";
// /metrics of a spawned server is read on its API port with this bearer token (METRICS_TOKEN).
constexpr const char* kMetricsToken = "metrics-token-Xc5Rv8Lp2Qw7";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

class FakeSecretsManager {
 public:
  explicit FakeSecretsManager(const json::object& secrets) {
    dir_ = fs::temp_directory_path() / ("oeuvre-sm-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    set_secrets(secrets);
    start();
  }
  ~FakeSecretsManager() {
    child_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  void start() {
    fs::remove(dir_ / "port");
    child_ = ChildProcess::spawn({"/usr/bin/python3", OEUVRE_SOURCE_DIR "/tests/support/fake_secrets_manager.py",
                                  "--state", (dir_ / "state.json").string(), "--port-file",
                                  (dir_ / "port").string(), "--log", (dir_ / "log.jsonl").string(), "--port",
                                  std::to_string(port_)},
                                 {}, (dir_ / "output.log").string());
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!fs::exists(dir_ / "port") && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
    ASSERT_TRUE(fs::exists(dir_ / "port")) << child_->output();
    port_ = std::stoi(read_file(dir_ / "port"));
  }
  void stop() { child_.reset(); }
  void set_state(json::object state) {
    state["credentials"] = json::object{{kAccessKey, kSecretKey}};
    std::ofstream(dir_ / "state.tmp") << json::serialize(state);
    fs::rename(dir_ / "state.tmp", dir_ / "state.json");
  }
  void set_secrets(const json::object& secrets) { set_state(json::object{{"secrets", secrets}}); }
  std::map<std::string, std::string> env() const {
    return {{"AWS_SECRETS_MANAGER_ENDPOINT", "http://127.0.0.1:" + std::to_string(port_)},
            {"AWS_SECRETS_MANAGER_REGION", "eu-west-1"},
            {"AWS_ACCESS_KEY_ID", kAccessKey},
            {"AWS_SECRET_ACCESS_KEY", kSecretKey}};
  }
  std::vector<json::object> requests() const {
    std::vector<json::object> out;
    std::istringstream lines(read_file(dir_ / "log.jsonl"));
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) out.push_back(json::parse(line).as_object());
    }
    return out;
  }

 private:
  fs::path dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> child_;
};

std::map<std::string, std::string> merged(std::map<std::string, std::string> a, const std::map<std::string, std::string>& b) {
  for (const auto& [k, v] : b) a[k] = v;
  return a;
}

std::string login(std::uint16_t port, std::vector<std::string>& bodies) {
  HttpConnection connection(port);
  auto res = connection.send("POST", "/api/v1/auth/login",
                             json::serialize(json::object{{"email", "alice@example.com"}, {"password", "correct horse battery"}}));
  bodies.push_back(res.body);
  EXPECT_EQ(res.status, 200u) << res.body;
  return json_string(res.json(), "access_token");
}

void expect_no_secret_in(const std::string& where, const std::string& text) {
  for (const char* secret : {kKey1, kKey2, kSecretKey, kMetricsToken}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << "a secret value in " << where;
  }
}

std::string audit_text(const TestServer& owner) {
  auto conn = backup::connect_to(owner.config().database_url);
  EXPECT_TRUE(conn.ok());
  if (!conn.ok()) return "";
  auto rows = (*conn)->query("SELECT * FROM audit_logs", {});
  EXPECT_TRUE(rows.ok());
  std::string text;
  for (const store::Row& row : rows->rows) {
    for (std::size_t i = 0; i < row.size(); ++i) text += row.optional_text(i).value_or("") + "|";
  }
  return text;
}

TEST(SecretsManagerTest, AJwtKeyRotationDuringTrafficLogsNobodyOutAndNoSecretLeaks) {
  FakeSecretsManager sm(json::object{{"oeuvre/jwt", json::object{{"AWSCURRENT", kKey1}}}});
  TestServer owner;
  ASSERT_TRUE(owner.started());
  owner.register_user("alice@example.com");
  auto serve = ServeProcess::start(owner, merged(sm.env(), {{"JWT_SECRET_NAME", "oeuvre/jwt"}, {"SECRETS_CACHE_TTL_SECONDS", "1"},
                                                         {"METRICS_TOKEN", kMetricsToken}}));
  ASSERT_TRUE(serve && serve->wait_until_listening());
  std::vector<std::string> bodies;
  const std::string old_token = login(serve->port(), bodies);
  ASSERT_EQ(security::access_token_kid(old_token), security::JwtKeyring::kid_of(kKey1));

  // Traffic with the first token while the key rotates.
  std::atomic<bool> stop = false;
  std::atomic<int> requests = 0, failures = 0;
  std::thread traffic([&] {
    while (!stop) {
      HttpConnection connection(serve->port());
      for (int i = 0; i < 20 && !stop; ++i) {
        auto res = connection.send("GET", "/api/v1/projects", "", old_token);
        ++requests;
        if (res.status != 200) ++failures;
      }
    }
  });
  sm.set_secrets(json::object{{"oeuvre/jwt", json::object{{"AWSCURRENT", kKey2}, {"AWSPREVIOUS", kKey1}}}});
  std::string new_token;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    new_token = login(serve->port(), bodies);
    if (security::access_token_kid(new_token) == security::JwtKeyring::kid_of(kKey2)) break;
    std::this_thread::sleep_for(300ms);
  }
  ASSERT_EQ(security::access_token_kid(new_token), security::JwtKeyring::kid_of(kKey2)) << "no rotation seen";
  std::this_thread::sleep_for(1500ms);  // traffic across a few more refreshes
  stop = true;
  traffic.join();
  EXPECT_GT(requests, 20);
  EXPECT_EQ(failures, 0) << "of " << requests << " requests with a token of the previous key";
  HttpConnection connection(serve->port());
  auto fresh = connection.send("GET", "/api/v1/projects", "", new_token);
  EXPECT_EQ(fresh.status, 200u) << fresh.body;
  bodies.push_back(fresh.body);
  auto metrics = connection.send("GET", "/metrics", "", kMetricsToken);
  EXPECT_EQ(metrics.status, 200u);
  bodies.push_back(metrics.body);

  // Every request to the store was signed as botocore signs it.
  const auto seen = sm.requests();
  ASSERT_GE(seen.size(), 2u);
  for (const json::object& request : seen) EXPECT_EQ(request.at("signature_ok"), json::value(true)) << json::serialize(request);
  EXPECT_EQ(json::value_to<std::string>(seen.front().at("target")), "secretsmanager.GetSecretValue");

  serve->process().stop();
  expect_no_secret_in("the server's log", serve->process().output());
  for (const std::string& body : bodies) expect_no_secret_in("a response body", body);
  expect_no_secret_in("the audit rows", audit_text(owner));
  EXPECT_NE(serve->process().output().find("JWT signing key rotated"), std::string::npos);
}

TEST(SecretsManagerTest, TheStoreGoingDownKeepsTheLastGoodValueAndCountsTheFailedRefreshes) {
  FakeSecretsManager sm(json::object{{"oeuvre/app", json::object{{"AWSCURRENT", json::serialize(json::object{{"jwt", kKey1}})}}}});
  TestServer owner;
  ASSERT_TRUE(owner.started());
  owner.register_user("alice@example.com");
  auto serve = ServeProcess::start(owner, merged(sm.env(), {{"JWT_SECRET_NAME", "oeuvre/app#jwt"}, {"SECRETS_CACHE_TTL_SECONDS", "1"},
                                                         {"METRICS_TOKEN", kMetricsToken}}));
  ASSERT_TRUE(serve && serve->wait_until_listening());
  std::vector<std::string> bodies;
  ASSERT_EQ(security::access_token_kid(login(serve->port(), bodies)), security::JwtKeyring::kid_of(kKey1));
  sm.stop();
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  std::string metrics;
  while (std::chrono::steady_clock::now() < deadline) {
    metrics = HttpConnection(serve->port()).send("GET", "/metrics", "", kMetricsToken).body;
    if (metrics.find("oeuvre_secret_refresh_failures_total{name=\"JWT_SECRET\"}") != std::string::npos) break;
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_NE(metrics.find("oeuvre_secret_refresh_failures_total{name=\"JWT_SECRET\"}"), std::string::npos) << metrics;
  const std::string token = login(serve->port(), bodies);
  EXPECT_EQ(security::access_token_kid(token), security::JwtKeyring::kid_of(kKey1)) << "the last good key signs";
  EXPECT_EQ(HttpConnection(serve->port()).send("GET", "/api/v1/projects", "", token).status, 200u);
  expect_no_secret_in("the server's log", serve->process().output());
}

TEST(SecretsManagerTest, AMissingDeniedSlowOrWronglySignedSecretStopsTheStartWithOneLine) {
  FakeSecretsManager sm(json::object{{"oeuvre/jwt", json::object{{"AWSCURRENT", kKey1}}}});
  TestServer owner;
  ASSERT_TRUE(owner.started());
  const fs::path logs = fs::temp_directory_path() / ("oeuvre-sm-start-" + std::to_string(std::random_device{}()));
  fs::create_directories(logs);
  auto start = [&](const std::map<std::string, std::string>& extra) {
    const auto env = merged(merged(sm.env(), {{"DATABASE_URL", owner.config().database_url},
                                              {"VAR_DIR", owner.config().var_dir},
                                              {"PORT", "0"},
                                              {"PASSWORD_HASH_COST", "minimal"}}),
                            extra);
    return run_command({OEUVRE_BINARY, "serve"}, env, logs / ("run-" + std::to_string(std::random_device{}())), 60s);
  };
  CommandRun missing = start({{"JWT_SECRET_NAME", "oeuvre/none"}});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("JWT_SECRET"), std::string::npos) << missing.output;
  EXPECT_NE(missing.output.find("ResourceNotFoundException"), std::string::npos) << missing.output;

  sm.set_state(json::object{{"secrets", json::object{{"oeuvre/jwt", json::object{{"AWSCURRENT", kKey1}}}}},
                            {"deny", json::array{"oeuvre/jwt"}}});
  CommandRun denied = start({{"JWT_SECRET_NAME", "oeuvre/jwt"}});
  EXPECT_NE(denied.exit_code, 0);
  EXPECT_NE(denied.output.find("AccessDeniedException"), std::string::npos) << denied.output;

  sm.set_state(json::object{{"secrets", json::object{{"oeuvre/jwt", json::object{{"AWSCURRENT", kKey1}}}}},
                            {"delay_seconds", 3}});
  const auto before = std::chrono::steady_clock::now();
  CommandRun slow = start({{"JWT_SECRET_NAME", "oeuvre/jwt"}, {"SECRETS_TIMEOUT_MS", "500"}});
  EXPECT_NE(slow.exit_code, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - before, 20s);
  EXPECT_NE(slow.output.find("JWT_SECRET"), std::string::npos) << slow.output;
  EXPECT_NE(slow.output.find("cannot be reached"), std::string::npos) << slow.output;

  sm.set_secrets(json::object{{"oeuvre/jwt", json::object{{"AWSCURRENT", kKey1}}}});
  CommandRun unsigned_right = start({{"JWT_SECRET_NAME", "oeuvre/jwt"}, {"AWS_SECRET_ACCESS_KEY", "not-the-key"}});
  EXPECT_NE(unsigned_right.exit_code, 0);
  EXPECT_NE(unsigned_right.output.find("InvalidSignatureException"), std::string::npos) << unsigned_right.output;
  bool refused = false;
  for (const json::object& request : sm.requests()) refused = refused || request.at("signature_ok") == json::value(false);
  EXPECT_TRUE(refused) << "the endpoint checks signatures";
  for (const CommandRun* run : {&missing, &denied, &slow, &unsigned_right}) expect_no_secret_in("a failed start", run->output);

  // `oeuvre config show`: every secret as *** with where it comes from.
  CommandRun shown = run_command({OEUVRE_BINARY, "config", "show"},
                                 merged(sm.env(), {{"JWT_SECRET_NAME", "oeuvre/jwt"},
                                                   {"DATABASE_URL", "postgres://app:" + std::string(kKey2) + "@db:5432/x"},
                                                   {"BACKUP_ENCRYPTION_KEY", kKey1}}),
                                 logs / "config-show.log");
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
  EXPECT_NE(shown.output.find("JWT_SECRET = ***  (AWS Secrets Manager (eu-west-1) oeuvre/jwt)"), std::string::npos)
      << shown.output;
  EXPECT_NE(shown.output.find("DATABASE_URL = postgres://app:***@db:5432/x  (environment)"), std::string::npos)
      << shown.output;
  EXPECT_NE(shown.output.find("BACKUP_ENCRYPTION_KEY = ***  (environment)"), std::string::npos) << shown.output;
  expect_no_secret_in("config show", shown.output);
  std::error_code ec;
  fs::remove_all(logs, ec);
}

}  // namespace
}  // namespace oeuvre::testing
