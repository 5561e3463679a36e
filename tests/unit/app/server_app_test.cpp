#include "app/server_app.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace oeuvre::app {
namespace {

// Sets JWT_SECRET for one test and restores the environment after it.
class JwtSecretEnvironment {
 public:
  explicit JwtSecretEnvironment(const std::string& value) {
    ::setenv("JWT_SECRET", value.c_str(), 1);
  }
  ~JwtSecretEnvironment() { ::unsetenv("JWT_SECRET"); }
};

std::shared_ptr<security::SecretChain> chain() {
  return std::make_shared<security::SecretChain>(nullptr, security::SecretChainOptions{});
}

Config test_config() {
  Config config;
  config.var_dir = (std::filesystem::temp_directory_path() / "oeuvre-server-app-test").string();
  config.password_hash_cost = "minimal";
  return config;
}

// Issue 21 item 15: a weak JWT_SECRET stops the start with a message that names the secret and says
// what is wrong with it (never the generic "the request has invalid fields", never the secret
// itself).
TEST(AuthSettingsTest, AWeakJwtSecretIsRefusedWithAMessageAboutTheSecret) {
  {
    JwtSecretEnvironment env(std::string(48, 'x'));
    auto settings = auth_settings_from(test_config(), *chain());
    ASSERT_FALSE(settings.ok()) << "a secret of one repeated character was accepted";
    const std::string message = settings.error().message();
    EXPECT_NE(message.find("JWT_SECRET"), std::string::npos) << message;
    EXPECT_NE(message.find("entropy"), std::string::npos) << message;
    EXPECT_EQ(message.find(std::string(48, 'x')), std::string::npos) << message;
  }
  {
    JwtSecretEnvironment env("short secret");
    auto settings = auth_settings_from(test_config(), *chain());
    ASSERT_FALSE(settings.ok());
    const std::string message = settings.error().message();
    EXPECT_NE(message.find("JWT_SECRET"), std::string::npos) << message;
    EXPECT_NE(message.find("32 bytes"), std::string::npos) << message;
    EXPECT_EQ(message.find("short secret"), std::string::npos) << message;
  }
  JwtSecretEnvironment env("vJ3nQ8sK1xW6pZ0tR5yB2mF9hC4gL7dA");
  EXPECT_TRUE(auth_settings_from(test_config(), *chain()).ok());
}

}  // namespace
}  // namespace oeuvre::app
