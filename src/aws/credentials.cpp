#include "aws/credentials.h"

namespace oeuvre::aws {

Result<Credentials> credentials_from(security::SecretSource& secrets) {
  ASSIGN_OR_RETURN(std::optional<std::string> id, secrets.get("AWS_ACCESS_KEY_ID"));
  ASSIGN_OR_RETURN(std::optional<std::string> secret, secrets.get("AWS_SECRET_ACCESS_KEY"));
  if (!id && !secret) {
    return Error::NotFound("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
  }
  if (!id || id->empty()) return Error::Validation("AWS_ACCESS_KEY_ID", "is not set (AWS_SECRET_ACCESS_KEY is)");
  if (!secret || secret->empty()) {
    return Error::Validation("AWS_SECRET_ACCESS_KEY", "is not set (AWS_ACCESS_KEY_ID is)");
  }
  ASSIGN_OR_RETURN(std::optional<std::string> token, secrets.get("AWS_SESSION_TOKEN"));
  return Credentials{std::move(*id), std::move(*secret), token.value_or("")};
}

}  // namespace oeuvre::aws
