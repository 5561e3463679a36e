#include "aws/secrets_manager.h"

#include <boost/json.hpp>

#include "security/crypto.h"

namespace oeuvre::aws {

namespace json = boost::json;

namespace {

std::string member(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

Error answer_error(const std::string& secret_id, const HttpResponse& response) {
  boost::system::error_code ec;
  const json::value body = json::parse(response.body, ec);
  std::string type = body.is_object() ? member(body.get_object(), "__type") : "";
  std::string message = body.is_object() ? member(body.get_object(), "message") : "";
  if (message.empty() && body.is_object()) message = member(body.get_object(), "Message");
  if (const auto hash = type.rfind('#'); hash != std::string::npos) type = type.substr(hash + 1);
  const std::string text = "HTTP " + std::to_string(response.status) + (type.empty() ? "" : " " + type) +
                           (message.empty() ? "" : " (" + message + ")");
  if (type == "ResourceNotFoundException") return Error::NotFound("no secret " + secret_id + ": " + text);
  if (type == "AccessDeniedException" || response.status == 403) {
    return Error::Forbidden("access to secret " + secret_id + " denied: " + text);
  }
  if (response.status >= 500 || response.status == 429 || type == "ThrottlingException") {
    return Error::Unavailable(text);
  }
  return Error::BadRequest(text);
}

}  // namespace

Result<std::unique_ptr<SecretsManager>> SecretsManager::create(SecretsManagerOptions options) {
  if (options.region.empty()) options.region = "us-east-1";
  if (options.endpoint.empty()) options.endpoint = "https://secretsmanager." + options.region + ".amazonaws.com";
  auto endpoint = parse_endpoint(options.endpoint);
  if (!endpoint.ok()) return Error::Validation("AWS_SECRETS_MANAGER_ENDPOINT", endpoint.error().message());
  return std::unique_ptr<SecretsManager>(new SecretsManager(std::move(options), std::move(endpoint).value()));
}

Result<std::string> SecretsManager::fetch(const std::string& secret_id, const std::string& stage) {
  const std::string body = json::serialize(json::object{{"SecretId", secret_id}, {"VersionStage", stage}});
  SignableRequest request;
  request.method = "POST";
  request.host = endpoint_.authority;
  request.path = endpoint_.base_path.empty() ? "/" : endpoint_.base_path + "/";
  request.headers = {{"content-type", "application/x-amz-json-1.1"},
                     {"x-amz-target", "secretsmanager.GetSecretValue"}};
  request.payload_sha256_hex = security::sha256_hex(body);
  const SignedRequest signed_request =
      sign(request, options_.credentials, {options_.region, "secretsmanager", now_utc()});

  HttpRequest http;
  http.method = "POST";
  http.url = endpoint_.scheme + "://" + endpoint_.authority + signed_request.encoded_path;
  http.headers = signed_request.headers;
  http.body = body;
  http.connect_timeout = options_.timeout;
  http.total_timeout = options_.timeout;
  auto response = perform(http);
  if (!response.ok()) {
    return Error::Unavailable(describe() + " cannot be reached: " + response.error().message());
  }
  if (response->status != 200) return answer_error(secret_id, *response);
  boost::system::error_code ec;
  const json::value parsed = json::parse(response->body, ec);
  if (ec || !parsed.is_object()) return Error::Unavailable(describe() + " answered something that is not JSON");
  const json::value* value = parsed.get_object().if_contains("SecretString");
  if (value == nullptr || !value->is_string()) {
    return Error::BadRequest("secret " + secret_id + " has no SecretString (binary secrets are not supported)");
  }
  return std::string(value->get_string());
}

}  // namespace oeuvre::aws
