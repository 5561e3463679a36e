#include "security/password.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace oeuvre::security {
namespace {

using namespace std::string_literals;

const PasswordHasher& fast_hasher() {
  static const PasswordHasher hasher(PasswordCost::minimal());
  return hasher;
}

void expect_password_error(std::string_view password, std::string_view message) {
  const Status status = validate_password_strength(password);
  ASSERT_FALSE(status.ok()) << password;
  EXPECT_EQ(status.error().code(), ErrorCode::kValidation);
  ASSERT_EQ(status.error().field_errors().size(), 1u);
  EXPECT_EQ(status.error().field_errors()[0].field, "password");
  EXPECT_EQ(status.error().field_errors()[0].message, message);
}

TEST(PasswordCostTest, ProfilesMatchLibsodium) {
  EXPECT_EQ(PasswordCost::interactive().ops, crypto_pwhash_OPSLIMIT_INTERACTIVE);
  EXPECT_EQ(PasswordCost::interactive().mem, crypto_pwhash_MEMLIMIT_INTERACTIVE);
  EXPECT_EQ(PasswordCost::minimal().ops, crypto_pwhash_OPSLIMIT_MIN);
  EXPECT_EQ(PasswordCost::minimal().mem, crypto_pwhash_MEMLIMIT_MIN);
}

TEST(PasswordHasherTest, HashIsArgon2idPhcString) {
  const auto hash = fast_hasher().hash("correct horse battery staple");
  ASSERT_TRUE(hash.ok());
  EXPECT_EQ(hash->rfind("$argon2id$v=19$", 0), 0u) << *hash;
  EXPECT_LT(hash->size(), static_cast<std::size_t>(crypto_pwhash_STRBYTES));
  EXPECT_EQ(hash->find('\0'), std::string::npos);
  EXPECT_EQ(hash->find("correct horse"), std::string::npos);
}

TEST(PasswordHasherTest, VerifiesTheRightPasswordOnly) {
  const auto hash = fast_hasher().hash("correct horse battery staple");
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(fast_hasher().verify("correct horse battery staple", *hash));
  EXPECT_FALSE(fast_hasher().verify("correct horse battery stapl", *hash));
  EXPECT_FALSE(fast_hasher().verify("Correct horse battery staple", *hash));
  EXPECT_FALSE(fast_hasher().verify("", *hash));
}

TEST(PasswordHasherTest, SaltMakesEveryHashDifferent) {
  const auto a = fast_hasher().hash("same password here");
  const auto b = fast_hasher().hash("same password here");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(fast_hasher().verify("same password here", *a));
  EXPECT_TRUE(fast_hasher().verify("same password here", *b));
}

TEST(PasswordHasherTest, BinaryAndUnicodePasswords) {
  const std::string with_nul = "before\0after-long"s;
  const auto hash = fast_hasher().hash(with_nul);
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(fast_hasher().verify(with_nul, *hash));
  EXPECT_FALSE(fast_hasher().verify("before", *hash));  // no truncation at NUL

  const auto unicode = fast_hasher().hash("pässwörd-日本語-😀");
  ASSERT_TRUE(unicode.ok());
  EXPECT_TRUE(fast_hasher().verify("pässwörd-日本語-😀", *unicode));

  const auto empty = fast_hasher().hash(std::string_view());
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(fast_hasher().verify("", *empty));
}

TEST(PasswordHasherTest, MalformedStoredHashesNeverVerify) {
  const auto hash = fast_hasher().hash("a fine password");
  ASSERT_TRUE(hash.ok());
  const std::string malformed[] = {
      "",
      "plaintext",
      "$argon2id$",
      hash->substr(0, hash->size() - 1),  // truncated
      *hash + "A",                        // extended
      *hash + '\0' + "junk",              // embedded NUL
      std::string(crypto_pwhash_STRBYTES + 10, 'a'),
      "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",  // bcrypt
  };
  for (const std::string& stored : malformed) {
    EXPECT_FALSE(fast_hasher().verify("a fine password", stored)) << stored;
  }
  // needs_rehash reads only the algorithm and parameters; whatever has no valid ones must be
  // replaced.
  for (const std::string& stored :
       {malformed[0], malformed[1], malformed[2], malformed[5], malformed[6], malformed[7]}) {
    EXPECT_TRUE(fast_hasher().needs_rehash(stored)) << stored;
  }
}

TEST(PasswordHasherTest, NeedsRehashWhenCostChanges) {
  const PasswordCost stronger{crypto_pwhash_OPSLIMIT_MIN + 1, crypto_pwhash_MEMLIMIT_MIN * 2};
  const PasswordHasher stronger_hasher(stronger);
  const auto weak_hash = fast_hasher().hash("a fine password");
  const auto strong_hash = stronger_hasher.hash("a fine password");
  ASSERT_TRUE(weak_hash.ok() && strong_hash.ok());
  EXPECT_FALSE(fast_hasher().needs_rehash(*weak_hash));
  EXPECT_TRUE(stronger_hasher.needs_rehash(*weak_hash));
  EXPECT_FALSE(stronger_hasher.needs_rehash(*strong_hash));
  // Verification does not depend on the hasher's own cost: the cost is read from the hash.
  EXPECT_TRUE(fast_hasher().verify("a fine password", *strong_hash));
  EXPECT_TRUE(stronger_hasher.verify("a fine password", *weak_hash));
}

TEST(PasswordHasherTest, LegacyArgon2iVerifiesButNeedsRehash) {
  char legacy[crypto_pwhash_STRBYTES];
  ASSERT_EQ(crypto_pwhash_str_alg(legacy, "old password", 12, crypto_pwhash_argon2i_OPSLIMIT_MIN,
                                  crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2I13),
            0);
  EXPECT_TRUE(fast_hasher().verify("old password", legacy));
  EXPECT_TRUE(fast_hasher().needs_rehash(legacy));
}

TEST(PasswordHasherTest, OutOfRangeCostFailsCleanly) {
  const PasswordHasher broken(PasswordCost{0, 0});
  const auto hash = broken.hash("a fine password");
  ASSERT_FALSE(hash.ok());
  EXPECT_EQ(hash.error().code(), ErrorCode::kInternal);
  EXPECT_EQ(hash.error().message().find("a fine password"), std::string::npos);
}

TEST(PasswordHasherTest, SafeForConcurrentUse) {
  const auto shared_hash = fast_hasher().hash("shared password");
  ASSERT_TRUE(shared_hash.ok());
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const PasswordHasher local(
          PasswordCost::minimal());  // concurrent first-use of sodium_init too
      for (int i = 0; i < 3; ++i) {
        const std::string password = "thread password " + std::to_string(t);
        const auto hash = local.hash(password);
        if (hash.ok() && local.verify(password, *hash) &&
            fast_hasher().verify("shared password", *shared_hash)) {
          ++ok[t];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int count : ok) EXPECT_EQ(count, 3);
}

TEST(PasswordStrengthTest, AcceptsReasonablePasswords) {
  EXPECT_TRUE(validate_password_strength("0123456789").ok());
  EXPECT_TRUE(validate_password_strength("correct horse battery staple").ok());
  EXPECT_TRUE(validate_password_strength("  leading and trailing spaces  ").ok());
  EXPECT_TRUE(validate_password_strength("ééééééééé\xC3\xA9").ok());  // 10 code points, 20 bytes
  EXPECT_TRUE(validate_password_strength(std::string(256, 'x')).ok());
  EXPECT_TRUE(validate_password_strength("日本語のパスワードです").ok());
}

// Issue 21 item 7: the commonest passwords are refused whatever the case of their letters.
TEST(PasswordStrengthTest, RefusesTheCommonestPasswords) {
  for (const char* common :
       {"password123", "PASSWORD123", "1234567890", "qwertyuiop", "1q2w3e4r5t", "iloveyou123"}) {
    const Status status = validate_password_strength(common);
    ASSERT_FALSE(status.ok()) << common;
    ASSERT_EQ(status.error().field_errors().size(), 1u);
    EXPECT_EQ(status.error().field_errors()[0].field, "password");
    EXPECT_EQ(status.error().field_errors()[0].message.find(common), std::string::npos);
  }
  EXPECT_TRUE(validate_password_strength("password123 but longer and mine").ok());
}

// Issue 21 item 7: a password that holds the email's local part (when it is at least 4 bytes) is
// refused, whatever the case; a shorter local part is not checked.
TEST(PasswordStrengthTest, RefusesPasswordsContainingTheEmailName) {
  const Status status = validate_password_strength("my LoveLace secret", "lovelace@example.com");
  ASSERT_FALSE(status.ok());
  ASSERT_EQ(status.error().field_errors().size(), 1u);
  EXPECT_EQ(status.error().field_errors()[0].field, "password");
  EXPECT_TRUE(validate_password_strength("my lovelace secret", "ada@example.com").ok());
  EXPECT_TRUE(
      validate_password_strength("a completely unrelated phrase", "lovelace@example.com").ok());
  EXPECT_TRUE(validate_password_strength("bob's long password", "bob@example.com").ok());
}

// Issue 21 item 5: at most max_concurrent hashes run at once; the others wait their turn and
// succeed.
TEST(PasswordHasherTest, BoundsHowManyHashesRunAtOnce) {
  const PasswordHasher hasher(PasswordCost{1, 8u << 20}, 2);  // 8 MiB: long enough to overlap
  EXPECT_EQ(hasher.max_concurrent(), 2);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      const std::string password = "burst password " + std::to_string(t);
      const auto hash = hasher.hash(password);
      if (hash.ok() && hasher.verify(password, *hash)) ++ok;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_GE(hasher.peak_concurrent(), 1);
  EXPECT_LE(hasher.peak_concurrent(), 2);
  EXPECT_GE(PasswordHasher(PasswordCost::minimal()).max_concurrent(), 1);  // 0: the number of cores
}

TEST(PasswordStrengthTest, LengthIsCountedInCharacters) {
  expect_password_error("", "must be at least 10 characters");
  expect_password_error("123456789", "must be at least 10 characters");
  expect_password_error("ééééé", "must be at least 10 characters");  // 10 bytes, 5 characters
  expect_password_error("😀😀😀😀😀😀😀😀😀", "must be at least 10 characters");
}

TEST(PasswordStrengthTest, AtMost256Bytes) {
  expect_password_error(std::string(257, 'x'), "must be at most 256 bytes");
  std::string multibyte;
  for (int i = 0; i < 65; ++i) multibyte += "😀";  // 65 characters, 260 bytes
  expect_password_error(multibyte, "must be at most 256 bytes");
}

TEST(PasswordStrengthTest, MustBeValidUtf8) {
  expect_password_error("abcdefghij\xFF", "must be valid UTF-8 text");
  expect_password_error("abcdefghij\xC0\xAF", "must be valid UTF-8 text");
  expect_password_error("abcdefghij\xED\xA0\x80", "must be valid UTF-8 text");
}

TEST(PasswordStrengthTest, RejectsWhitespaceOnly) {
  expect_password_error(std::string(12, ' '), "must not be only whitespace");
  expect_password_error(" \t\n\r\v\f \t\n\r", "must not be only whitespace");
  // U+00A0, U+2003, U+3000, U+2028, U+202F, U+0085 repeated: Unicode whitespace.
  expect_password_error(
      "\xC2\xA0\xE2\x80\x83\xE3\x80\x80\xE2\x80\xA8\xE2\x80\xAF\xC2\x85"
      "\xC2\xA0\xE2\x80\x83\xE3\x80\x80\xE2\x80\xA8",
      "must not be only whitespace");
  EXPECT_TRUE(validate_password_strength("          x").ok());
}

TEST(PasswordStrengthTest, ErrorsNeverContainThePassword) {
  const std::string candidates[] = {"short-pw", std::string(300, 'q'), "abcdefghij\xFF"};
  for (const std::string& password : candidates) {
    const Status status = validate_password_strength(password);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().message().find(password), std::string::npos);
    EXPECT_EQ(status.error().field_errors()[0].message.find(password), std::string::npos);
  }
}

}  // namespace
}  // namespace oeuvre::security
