// BACKUP_ENCRYPTION_KEY: hex or base64 of exactly 32 bytes; its id names it without revealing it.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "backup/backup_key.h"

namespace oeuvre::backup {
namespace {

constexpr const char* kHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kBase64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

class MapSecrets final : public security::SecretSource {
 public:
  explicit MapSecrets(std::map<std::string, std::string> values) : values_(std::move(values)) {}
  Result<std::optional<std::string>> get(const std::string& name) override {
    auto found = values_.find(name);
    if (found == values_.end()) return std::optional<std::string>();
    return std::optional<std::string>(found->second);
  }

 private:
  std::map<std::string, std::string> values_;
};

TEST(BackupKeyTest, HexAndBase64OfTheSameBytesAreTheSameKey) {
  auto hex = BackupKey::parse(kHex);
  auto base64 = BackupKey::parse(kBase64);
  auto base64url = BackupKey::parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
  auto with_newline = BackupKey::parse(std::string(kHex) + "\n");
  ASSERT_TRUE(hex.ok() && base64.ok() && base64url.ok() && with_newline.ok());
  EXPECT_EQ(hex->bytes(), base64->bytes());
  EXPECT_EQ(hex->bytes(), base64url->bytes());
  EXPECT_EQ(hex->id(), with_newline->id());
  EXPECT_EQ(hex->bytes()[31], 0x1f);
}

TEST(BackupKeyTest, AnythingButThirtyTwoBytesIsRefusedWithoutEchoingIt) {
  const std::string hex(kHex);
  const std::vector<std::string> texts{"", "00", hex.substr(2), hex + "00", "zz" + hex.substr(2), "AAEC",
                                       "not a key at all, just some words"};
  for (const std::string& text : texts) {
    auto key = BackupKey::parse(text);
    ASSERT_FALSE(key.ok()) << text;
    ASSERT_EQ(key.error().field_errors().size(), 1u);
    EXPECT_EQ(key.error().field_errors()[0].field, "BACKUP_ENCRYPTION_KEY");
    if (!text.empty()) {
      EXPECT_EQ(key.error().field_errors()[0].message.find(text), std::string::npos);
    }
  }
}

TEST(BackupKeyTest, TheKeyIdIsStableAndIsNotTheKey) {
  auto key = BackupKey::parse(kHex);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->id_hex().size(), 32u);
  EXPECT_EQ(std::string(kHex).find(key->id_hex()), std::string::npos);
  EXPECT_EQ(BackupKey::parse(kBase64)->id_hex(), key->id_hex());
  auto other = BackupKey::parse(std::string(kHex).substr(0, 62) + "ff");
  EXPECT_NE(other->id_hex(), key->id_hex());
}

TEST(BackupKeyTest, ComesThroughTheSecretSource) {
  MapSecrets none(std::map<std::string, std::string>{});
  auto absent = load_backup_key(none);
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->has_value());
  EXPECT_FALSE(require_backup_key(none).ok());
  MapSecrets set(std::map<std::string, std::string>{{"BACKUP_ENCRYPTION_KEY", kHex}});
  auto present = require_backup_key(set);
  ASSERT_TRUE(present.ok());
  EXPECT_EQ(present->bytes()[1], 1);
  MapSecrets bad(std::map<std::string, std::string>{{"BACKUP_ENCRYPTION_KEY", "short"}});
  EXPECT_FALSE(load_backup_key(bad).ok());
}

}  // namespace
}  // namespace oeuvre::backup
