#pragma once
// AWS credentials, read the way the AWS tools read them from the environment: AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (or their _FILE forms), all through the SecretSource.
// The secret key never appears in logs or errors (to_string of Credentials shows the key id only).

#include <string>

#include "core/result.h"
#include "security/secrets.h"

namespace oeuvre::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty when not temporary credentials
};

// The credentials from `secrets`. kValidation naming the variable when one of the pair is missing;
// kNotFound when neither is set.
Result<Credentials> credentials_from(security::SecretSource& secrets);

}  // namespace oeuvre::aws
