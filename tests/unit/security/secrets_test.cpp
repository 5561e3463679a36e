// The secret chain (security/secrets.h): order (remote store, NAME_FILE, NAME), the NAME + NAME_FILE
// conflict, JSON key selection and RDS-style URLs, caching with a TTL and background refresh, the
// last good value kept with backoff when a refresh fails, redaction of Secret, the JWT keyring's
// rotation, and that no code outside the chain reads a secret from the environment.
#include "security/secrets.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "security/jwt_keyring.h"
#include "security/secret.h"

namespace oeuvre::security {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A remote store whose answers the test sets.
class FakeRemote final : public RemoteSecretStore {
 public:
  struct State {
    std::mutex mutex;
    std::map<std::pair<std::string, std::string>, std::string> values;
    bool down = false;
    std::atomic<int> calls = 0;
  };
  explicit FakeRemote(std::shared_ptr<State> state) : state_(std::move(state)) {}
  Result<std::string> fetch(const std::string& id, const std::string& stage) override {
    ++state_->calls;
    std::lock_guard lock(state_->mutex);
    if (state_->down) return Error::Unavailable("connection refused");
    auto found = state_->values.find({id, stage});
    if (found == state_->values.end()) return Error::NotFound("no secret " + id);
    return found->second;
  }
  std::string describe() const override { return "Fake Secrets Manager"; }

 private:
  std::shared_ptr<State> state_;
};

class Env {
 public:
  ~Env() {
    for (const auto& name : names_) ::unsetenv(name.c_str());
  }
  void set(const std::string& name, const std::string& value) {
    ::setenv(name.c_str(), value.c_str(), 1);
    names_.push_back(name);
  }

 private:
  std::vector<std::string> names_;
};

fs::path secret_file(const std::string& content, fs::perms perms = fs::perms::owner_read | fs::perms::owner_write) {
  const fs::path path = fs::temp_directory_path() / ("oeuvre-secret-" + std::to_string(std::random_device{}()));
  std::ofstream(path) << content << "\n";
  fs::permissions(path, perms);
  return path;
}

TEST(SecretChainTest, TheRemoteStoreComesFirstThenTheFileThenTheEnvironment) {
  auto state = std::make_shared<FakeRemote::State>();
  state->values[{"prod/jwt", kCurrentStage}] = "from-remote";
  SecretChain chain(std::make_unique<FakeRemote>(state), {});
  Env env;
  env.set("OEUVRE_T_SECRET", "from-environment");
  EXPECT_EQ(chain.get("OEUVRE_T_SECRET")->value_or(""), "from-environment");
  EXPECT_EQ(chain.source_of("OEUVRE_T_SECRET"), "environment");
  ::unsetenv("OEUVRE_T_SECRET");
  const fs::path file = secret_file("from-file");
  env.set("OEUVRE_T_SECRET_FILE", file.string());
  EXPECT_EQ(chain.get("OEUVRE_T_SECRET")->value_or(""), "from-file");
  EXPECT_EQ(chain.source_of("OEUVRE_T_SECRET"), "file " + file.string());
  env.set("OEUVRE_T_SECRET_NAME", "prod/jwt");
  EXPECT_EQ(chain.get("OEUVRE_T_SECRET")->value_or(""), "from-remote");
  EXPECT_EQ(chain.source_of("OEUVRE_T_SECRET"), "Fake Secrets Manager prod/jwt");
  EXPECT_FALSE(chain.get("OEUVRE_T_UNSET")->has_value());
  EXPECT_NE(chain.places_for("OEUVRE_T_UNSET").find("OEUVRE_T_UNSET_FILE"), std::string::npos);
  fs::remove(file);
}

TEST(SecretChainTest, BothTheValueAndAFileIsAnErrorNamingTheSetting) {
  SecretChain chain(nullptr, {});
  Env env;
  const fs::path file = secret_file("from-file");
  env.set("OEUVRE_T_BOTH", "value");
  env.set("OEUVRE_T_BOTH_FILE", file.string());
  auto got = chain.get("OEUVRE_T_BOTH");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().field_errors().at(0).field, "OEUVRE_T_BOTH");
  EXPECT_EQ(got.error().message().find("from-file"), std::string::npos);
  fs::remove(file);
}

TEST(SecretChainTest, AFileReadableByOthersStillWorks) {
  SecretChain chain(nullptr, {});
  Env env;
  const fs::path file = secret_file("shared", fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  env.set("OEUVRE_T_SHARED_FILE", file.string());
  EXPECT_EQ(chain.get("OEUVRE_T_SHARED")->value_or(""), "shared");  // and a warning, once, in the log
  fs::remove(file);
}

TEST(SecretChainTest, AJsonSecretIsReadByKeyAndAnRdsSecretBecomesAUrl) {
  EXPECT_EQ(select_secret_value("X", R"({"password":"p@ss","port":5432})", "password").value(), "p@ss");
  EXPECT_EQ(select_secret_value("X", R"({"password":"p@ss","port":5432})", "port").value(), "5432");
  EXPECT_EQ(select_secret_value("X", "plain", "").value(), "plain");
  auto missing = select_secret_value("X", R"({"password":"p@ss"})", "user");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message().find("p@ss"), std::string::npos);
  EXPECT_FALSE(select_secret_value("X", "not json", "key").ok());
  const std::string rds =
      R"({"engine":"postgres","host":"db.internal","port":5432,"username":"app","password":"s3cr/t:@x","dbname":"oeuvre"})";
  EXPECT_EQ(select_secret_value("DATABASE_URL", rds, "").value(),
            "postgres://app:s3cr%2Ft%3A%40x@db.internal:5432/oeuvre");
  EXPECT_FALSE(select_secret_value("DATABASE_URL", R"({"engine":"mysql","host":"h","username":"u","password":"p"})", "").ok());
}

TEST(SecretChainTest, ValuesAreCachedAndRefreshedInTheBackgroundAfterTheTtl) {
  auto state = std::make_shared<FakeRemote::State>();
  state->values[{"prod/key", kCurrentStage}] = "v1";
  std::atomic<int> changes = 0;
  SecretChainOptions options;
  options.ttl = 1s;
  options.on_change = [&](const std::string& name) {
    EXPECT_EQ(name, "OEUVRE_T_KEY");
    ++changes;
  };
  SecretChain chain(std::make_unique<FakeRemote>(state), options);
  Env env;
  env.set("OEUVRE_T_KEY_NAME", "prod/key");
  EXPECT_EQ(chain.get("OEUVRE_T_KEY")->value_or(""), "v1");
  EXPECT_EQ(chain.get("OEUVRE_T_KEY")->value_or(""), "v1");
  EXPECT_EQ(state->calls, 1) << "the second read is served from the cache";
  {
    std::lock_guard lock(state->mutex);
    state->values[{"prod/key", kCurrentStage}] = "v2";
  }
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (chain.get("OEUVRE_T_KEY")->value_or("") != "v2" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(chain.get("OEUVRE_T_KEY")->value_or(""), "v2");
  EXPECT_EQ(changes, 1);
  EXPECT_EQ(chain.get_fresh("OEUVRE_T_KEY")->value_or(""), "v2");
}

TEST(SecretChainTest, AFailedRefreshKeepsTheLastGoodValueCountsItAndBacksOff) {
  auto state = std::make_shared<FakeRemote::State>();
  state->values[{"prod/key", kCurrentStage}] = "good";
  std::atomic<int> failures = 0;
  SecretChainOptions options;
  options.ttl = 1s;
  options.first_backoff = 100ms;
  options.on_refresh_failure = [&](const std::string&) { ++failures; };
  SecretChain chain(std::make_unique<FakeRemote>(state), options);
  Env env;
  env.set("OEUVRE_T_KEY_NAME", "prod/key");
  ASSERT_EQ(chain.get("OEUVRE_T_KEY")->value_or(""), "good");
  {
    std::lock_guard lock(state->mutex);
    state->down = true;
  }
  std::this_thread::sleep_for(2500ms);
  EXPECT_GE(failures, 2) << "retried after the first failure";
  // Backoff: 100, 200, 400, 800 ms (jittered down to half) after the first failure at 1 s: a few
  // attempts in 2.5 s, not one every few milliseconds.
  EXPECT_LE(state->calls, 8);
  EXPECT_EQ(chain.get("OEUVRE_T_KEY")->value_or(""), "good") << "the last good value is kept";
  {
    std::lock_guard lock(state->mutex);
    state->down = false;
  }
}

TEST(SecretTest, ASecretPrintsAsStarsAndComparesByValue) {
  Secret secret("hunter2-very-secret");
  std::ostringstream out;
  out << "key=" << secret;
  EXPECT_EQ(out.str(), "key=***");
  EXPECT_EQ(secret.reveal(), "hunter2-very-secret");
  Secret moved = std::move(secret);
  EXPECT_EQ(moved, Secret("hunter2-very-secret"));
}

TEST(JwtKeyringTest, TokensOfThePreviousKeyStayValidAfterARotation) {
  const std::string k1 = "vJ3nQ8sK1xW6pZ0tR5yB2mF9hC4gL7dA";
  const std::string k2 = "Zq8Lm3Rt6Yw1Xc4Vb7Nn0Ks5Jd2Hf9Ga";
  JwtKeyring keys(k1);
  AccessClaims claims{"user-1", "user", 1'800'000'000, 1'800'000'900, "jti-1", 0};
  const std::string old_token = keys.sign(claims);
  EXPECT_EQ(access_token_kid(old_token), JwtKeyring::kid_of(k1));
  ASSERT_TRUE(keys.set(k2, k1).ok());
  const std::string new_token = keys.sign(claims);
  EXPECT_EQ(access_token_kid(new_token), JwtKeyring::kid_of(k2));
  EXPECT_TRUE(keys.verify(old_token, 1'800'000'100, 0).ok());
  EXPECT_TRUE(keys.verify(new_token, 1'800'000'100, 0).ok());
  ASSERT_TRUE(keys.set(k2, std::nullopt).ok());
  EXPECT_FALSE(keys.verify(old_token, 1'800'000'100, 0).ok()) << "the key before the previous is gone";
  EXPECT_FALSE(keys.set("weak", std::nullopt).ok());
  EXPECT_TRUE(keys.verify(new_token, 1'800'000'100, 0).ok()) << "a refused key changes nothing";
  // A token without a kid (issued before kids existed) is checked against the current key.
  EXPECT_TRUE(keys.verify(sign_access_token(claims, k2), 1'800'000'100, 0).ok());
}

// A token seen before is remembered with its claims (not verified again): its times still count,
// and a token that differs in one byte is verified on its own.
TEST(JwtKeyringTest, ARememberedTokenIsStillCheckedForTimeAndByteForByte) {
  const std::string k1 = "vJ3nQ8sK1xW6pZ0tR5yB2mF9hC4gL7dA";
  JwtKeyring keys(k1);
  AccessClaims claims{"user-1", "user", 1'800'000'000, 1'800'000'900, "jti-1", 3};
  const std::string token = keys.sign(claims);
  for (int i = 0; i < 2; ++i) {
    Result<AccessClaims> verified = keys.verify(token, 1'800'000'100, 0);
    ASSERT_TRUE(verified.ok()) << "lookup " << i;
    EXPECT_EQ(verified->sub, "user-1");
    EXPECT_EQ(verified->ver, 3);
  }
  Result<AccessClaims> late = keys.verify(token, 1'800'000'900, 0);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().message(), "token expired");
  EXPECT_TRUE(keys.verify(token, 1'800'000'900, 30).ok()) << "the leeway is applied to a remembered token too";
  Result<AccessClaims> early = keys.verify(token, 1'799'999'000, 0);
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().message(), "token issued in the future");

  std::string forged = token;
  forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(keys.verify(forged, 1'800'000'100, 0).ok());
  std::string longer = token + "A";
  EXPECT_FALSE(keys.verify(longer, 1'800'000'100, 0).ok());
  EXPECT_TRUE(keys.verify(token, 1'800'000'100, 0).ok());
}

// Many tokens: the remembered set stays bounded (a full shard is emptied) and every token still
// verifies, first time or again.
TEST(JwtKeyringTest, ManyTokensAllVerifyTwice) {
  JwtKeyring keys("vJ3nQ8sK1xW6pZ0tR5yB2mF9hC4gL7dA");
  std::vector<std::string> tokens;
  for (int i = 0; i < 20'000; ++i) {
    tokens.push_back(keys.sign({"user-" + std::to_string(i), "user", 1'800'000'000, 1'800'000'900,
                                "jti-" + std::to_string(i), 0}));
  }
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      Result<AccessClaims> verified = keys.verify(tokens[i], 1'800'000'100, 0);
      ASSERT_TRUE(verified.ok()) << i;
      ASSERT_EQ(verified->sub, "user-" + std::to_string(i));
    }
  }
}

// Secrets reach the code only through the chain: no source file outside it reads one of these from
// the environment (getenv, read_setting, or a CLI option's envname).
TEST(SecretReadsTest, NoCodeOutsideTheChainReadsASecretFromTheEnvironment) {
  const std::vector<std::string> secrets = {"JWT_SECRET", "DATABASE_URL", "BACKUP_ENCRYPTION_KEY", "AWS_SECRET_ACCESS_KEY",
                                            "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "SLACK_WEBHOOK_URL", "METRICS_TOKEN"};
  std::vector<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(fs::path(OEUVRE_SOURCE_DIR) / "src")) {
    if (!entry.is_regular_file()) continue;
    const std::string path = entry.path().string();
    if (path.ends_with("security/secrets.cpp")) continue;
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    const std::string content = text.str();
    for (const std::string& name : secrets) {
      for (const std::string& quoted : {"\"" + name + "\"", "\"" + name + "_FILE\""}) {
        for (auto at = content.find(quoted); at != std::string::npos; at = content.find(quoted, at + 1)) {
          // The call just before the literal: getenv("X"), read_setting("X"), ->envname("X").
          const std::string before = content.substr(at < 16 ? 0 : at - 16, at < 16 ? at : 16);
          for (const char* reader : {"getenv(", "read_setting(", "envname("}) {
            if (before.find(reader) != std::string::npos) found.push_back(path + ": " + name);
          }
        }
      }
    }
  }
  EXPECT_TRUE(found.empty()) << found.front();
}

}  // namespace
}  // namespace oeuvre::security
