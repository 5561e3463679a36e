// docs/openapi.json against the router the server really builds: every registered route is
// documented and every documented operation is a route, with an operationId, success and error
// responses, its path parameters, and security that matches the route's access.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "api/service_stack.h"
#include "core/embedded_resources.h"
#include "security/password.h"
#include "store/migrations.h"

namespace oeuvre::api {
namespace {

namespace json = boost::json;

constexpr std::string_view kDocumentPath = "docs/openapi.json";
const std::set<std::string> kHttpMethods = {"get",     "put",  "post",  "delete",
                                            "options", "head", "patch", "trace"};

// What the test needs of one registered route.
struct RouteInfo {
  std::string method;  // lower case, as OpenAPI spells it: "get", "delete"
  std::string pattern;
  http::Access access;
  bool streams_body = false;  // an upload route: the body is a file, not a JSON object
  std::string name() const;
};

// The services and the router, assembled the way ServerApp does, over a private in-memory SQLite
// database. Members are declared in construction order, so they are destroyed in reverse. No route
// runs, so the blob store's folder is never created.
struct ServerParts {
  std::unique_ptr<store::Database> db;
  obs::Metrics metrics;
  std::unique_ptr<ServiceStack> services;
  std::unique_ptr<http::Router> router;
};

Result<std::unique_ptr<ServerParts>> build_server_parts() {
  auto parts = std::make_unique<ServerParts>();
  store::DatabaseOptions options;
  options.url = "sqlite::memory:";
  ASSIGN_OR_RETURN(parts->db, store::open_database(options));
  RETURN_IF_ERROR(store::apply_migrations(*parts->db));
  services::AuthSettings settings;
  settings.jwt_secret = "tK8vW2qZ7nB4xR9mL1cF6hJ3pD0sG5yA";  // random: low-entropy secrets verify nothing
  settings.password_cost = security::PasswordCost::minimal();
  parts->services = std::make_unique<ServiceStack>(*parts->db, parts->metrics, std::move(settings),
                                                   store::make_directory_blob_store("/nonexistent/blobs"));
  parts->router = std::make_unique<http::Router>(build_router(parts->services->api()));
  return parts;
}

std::vector<RouteInfo> route_infos(const http::Router& router) {
  std::vector<RouteInfo> out;
  for (const http::Route& route : router.routes()) {
    std::string method(http::beast_http::to_string(route.method));
    for (auto& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.push_back({method, route.pattern, route.access, route.streams_body});
  }
  return out;
}

std::optional<std::string_view> embedded_document() {
  for (const auto& resource : embedded_resources()) {
    if (resource.path == kDocumentPath) return resource.text;
  }
  return std::nullopt;
}

std::string upper_case(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string RouteInfo::name() const { return upper_case(method) + " " + pattern; }

// The {name} segments of a route pattern, in order.
std::vector<std::string> pattern_parameters(const std::string& pattern) {
  std::vector<std::string> names;
  std::size_t open = pattern.find('{');
  while (open != std::string::npos) {
    const std::size_t close = pattern.find('}', open);
    if (close == std::string::npos) break;
    names.push_back(pattern.substr(open + 1, close - open - 1));
    open = pattern.find('{', close);
  }
  return names;
}

class OpenApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto parts = build_server_parts();
    if (parts.ok()) {
      parts_ = std::move(parts).value().release();
      routes_ = new std::vector<RouteInfo>(route_infos(*parts_->router));
    } else {
      router_error_ = new std::string(parts.error().message());
      routes_ = new std::vector<RouteInfo>();
    }
    document_ = new json::value();
    if (auto text = embedded_document()) {
      boost::system::error_code ec;
      *document_ = json::parse(*text, ec);
      if (ec) parse_error_ = new std::string(ec.message());
    }
  }
  static void TearDownTestSuite() {
    delete routes_;
    delete parts_;
    parts_ = nullptr;
    delete document_;
    delete parse_error_;
    delete router_error_;
    router_error_ = nullptr;
    routes_ = nullptr;
    document_ = nullptr;
    parse_error_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(embedded_document().has_value())
        << kDocumentPath << " is not among the embedded resources";
    ASSERT_EQ(parse_error_, nullptr) << kDocumentPath << " is not valid JSON: " << *parse_error_;
    ASSERT_TRUE(document_->is_object()) << kDocumentPath << " is not a JSON object";
    ASSERT_EQ(router_error_, nullptr) << "cannot build the router: " << *router_error_;
    ASSERT_FALSE(routes_->empty()) << "the router registers no routes";
  }

  static const json::object& doc() { return document_->as_object(); }
  static const std::vector<RouteInfo>& routes() { return *routes_; }

  static const json::object* object_at(const json::object& parent, std::string_view key) {
    auto it = parent.find(key);
    return it != parent.end() && it->value().is_object() ? &it->value().as_object() : nullptr;
  }

  // Follows a local "$ref" ("#/components/...") until the value is not a reference.
  static const json::value* resolve(const json::value* value) {
    for (int hops = 0; value != nullptr && hops < 8; ++hops) {
      if (!value->is_object()) return value;
      auto it = value->as_object().find("$ref");
      if (it == value->as_object().end()) return value;
      if (!it->value().is_string()) return nullptr;
      std::string_view ref = it->value().as_string();
      if (!ref.starts_with("#/")) return nullptr;
      ref.remove_prefix(2);
      const json::value* at = document_;
      while (at != nullptr && !ref.empty()) {
        const std::size_t slash = ref.find('/');
        std::string token(ref.substr(0, slash));
        ref = slash == std::string_view::npos ? std::string_view{} : ref.substr(slash + 1);
        for (auto i = token.find("~1"); i != std::string::npos; i = token.find("~1", i + 1))
          token.replace(i, 2, "/");
        for (auto i = token.find("~0"); i != std::string::npos; i = token.find("~0", i + 1))
          token.replace(i, 2, "~");
        if (!at->is_object()) return nullptr;
        auto child = at->as_object().find(token);
        at = child == at->as_object().end() ? nullptr : &child->value();
      }
      value = at;
    }
    return value;
  }
  static const json::object* resolve_object(const json::value& value) {
    const json::value* resolved = resolve(&value);
    return resolved != nullptr && resolved->is_object() ? &resolved->as_object() : nullptr;
  }

  // The shared Problem schema, or an allOf whose first member is it (a problem with extension members).
  static bool extends_problem(const json::object& schema) {
    constexpr std::string_view kProblem = "#/components/schemas/Problem";
    if (string_of(schema, "$ref") == kProblem) return true;
    const json::object* resolved = resolve_object(schema);
    if (resolved == nullptr) return false;
    auto all_of = resolved->find("allOf");
    if (all_of == resolved->end() || !all_of->value().is_array() || all_of->value().as_array().empty()) return false;
    const json::value& first = all_of->value().as_array().front();
    return first.is_object() && string_of(first.as_object(), "$ref") == kProblem;
  }

  // The documented operation of a route, or nullptr.
  static const json::object* operation_of(const RouteInfo& route) {
    const json::object* paths = object_at(doc(), "paths");
    if (paths == nullptr) return nullptr;
    const json::object* item = object_at(*paths, route.pattern);
    return item == nullptr ? nullptr : object_at(*item, route.method);
  }

  // Path-level and operation-level parameters, resolved.
  static std::vector<const json::object*> parameters_of(const RouteInfo& route) {
    std::vector<const json::object*> out;
    const json::object* item = object_at(*object_at(doc(), "paths"), route.pattern);
    for (const json::object* holder : {item, operation_of(route)}) {
      if (holder == nullptr) continue;
      auto it = holder->find("parameters");
      if (it == holder->end() || !it->value().is_array()) continue;
      for (const auto& p : it->value().as_array()) {
        if (const json::object* resolved = resolve_object(p)) out.push_back(resolved);
      }
    }
    return out;
  }

  // Runs the handler the router picks for (method, target), as the pipeline would after
  // authentication set `principal`.
  static http::HttpResponse call(http::beast_http::verb method, const std::string& target,
                                 const json::object* body,
                                 const std::optional<security::Actor>& principal = std::nullopt) {
    http::Exchange ex;
    ex.request.method(method);
    ex.request.target(target);
    if (body != nullptr) {
      ex.request.set(http::beast_http::field::content_type, "application/json");
      ex.request.body() = json::serialize(*body);
    }
    ex.request_id = "openapi-test";
    ex.client_ip = "127.0.0.1";
    ex.principal = principal;
    http::Router::Match match = parts_->router->match(ex);
    if (match.outcome != http::Router::Outcome::kFound) {
      ADD_FAILURE() << target << " matched no route";
      return http::HttpResponse{http::beast_http::status::not_found, 11};
    }
    ex.route = match.route;
    Result<http::HttpResponse> result = match.route->handler(ex);
    if (!result.ok()) {
      ADD_FAILURE() << target << " failed: " << result.error().message();
      return http::HttpResponse{http::beast_http::status::internal_server_error, 11};
    }
    return std::move(result).value();
  }

  // Expects `value` to have exactly the properties of the component schema `name`, all of them
  // required.
  static void expect_shape(const json::value& value, const std::string& name) {
    SCOPED_TRACE("schema " + name);
    const json::value* schema_value = resolve_ref("#/components/schemas/" + name);
    ASSERT_TRUE(schema_value != nullptr && schema_value->is_object())
        << "components.schemas." << name << " is missing";
    const json::object& schema = schema_value->as_object();
    ASSERT_TRUE(value.is_object())
        << "the response is not a JSON object: " << json::serialize(value);
    std::set<std::string> actual, documented, required;
    for (const auto& [key, v] : value.as_object()) actual.insert(std::string(key));
    if (const json::object* properties = object_at(schema, "properties")) {
      for (const auto& [key, v] : *properties) documented.insert(std::string(key));
    }
    if (const json::value* list = schema.if_contains("required");
        list != nullptr && list->is_array()) {
      for (const auto& key : list->as_array()) required.insert(std::string(key.as_string()));
    }
    EXPECT_EQ(actual, documented) << "the server's " << name
                                  << " fields differ from the document's";
    EXPECT_EQ(required, documented)
        << name << " should list every property it always has as required";
  }

  static const json::value* resolve_ref(const std::string& ref) {
    json::value holder = json::object{{"$ref", ref}};
    return resolve(&holder);
  }

  static std::string string_of(const json::object& object, std::string_view key) {
    auto it = object.find(key);
    return it != object.end() && it->value().is_string() ? std::string(it->value().as_string())
                                                         : std::string();
  }

  static ServerParts* parts_;
  static std::vector<RouteInfo>* routes_;
  static json::value* document_;
  static std::string* parse_error_;
  static std::string* router_error_;
};

ServerParts* OpenApiTest::parts_ = nullptr;
std::vector<RouteInfo>* OpenApiTest::routes_ = nullptr;
json::value* OpenApiTest::document_ = nullptr;
std::string* OpenApiTest::parse_error_ = nullptr;
std::string* OpenApiTest::router_error_ = nullptr;

TEST_F(OpenApiTest, IsOpenApi310AndTheEmbeddedCopyIsCurrent) {
  EXPECT_EQ(string_of(doc(), "openapi"), "3.1.0");
  const json::object* info = object_at(doc(), "info");
  ASSERT_NE(info, nullptr) << "the document has no info object";
  EXPECT_FALSE(string_of(*info, "title").empty());
  EXPECT_EQ(string_of(*info, "version"), OEUVRE_VERSION)
      << "info.version should be the project's version";

  std::ifstream file(std::string(OEUVRE_SOURCE_DIR) + "/" + std::string(kDocumentPath),
                     std::ios::binary);
  ASSERT_TRUE(file) << "cannot read " << kDocumentPath << " from the source tree";
  std::stringstream on_disk;
  on_disk << file.rdbuf();
  EXPECT_TRUE(on_disk.str() == *embedded_document())
      << kDocumentPath
      << " changed since this binary was built; rebuild to embed the current document";
}

TEST_F(OpenApiTest, EveryRouteIsDocumented) {
  for (const RouteInfo& route : routes()) {
    EXPECT_NE(operation_of(route), nullptr)
        << route.name() << " is registered by the router but not documented in " << kDocumentPath
        << " (add paths[\"" << route.pattern << "\"][\"" << route.method << "\"])";
  }
}

TEST_F(OpenApiTest, EveryDocumentedOperationIsARoute) {
  const json::object* paths = object_at(doc(), "paths");
  ASSERT_NE(paths, nullptr) << "the document has no paths";
  std::set<std::pair<std::string, std::string>> registered;
  for (const RouteInfo& route : routes()) registered.emplace(route.method, route.pattern);
  for (const auto& [pattern, item] : *paths) {
    ASSERT_TRUE(item.is_object()) << "paths[\"" << pattern << "\"] is not an object";
    for (const auto& [key, operation] : item.as_object()) {
      if (!kHttpMethods.contains(std::string(key))) continue;
      EXPECT_TRUE(registered.contains({std::string(key), std::string(pattern)}))
          << upper_case(std::string(key)) << " " << pattern << " is documented in " << kDocumentPath
          << " but the router has no such route";
    }
  }
}

TEST_F(OpenApiTest, EveryOperationHasAUniqueOperationId) {
  std::map<std::string, std::string> seen;  // operationId -> route
  for (const RouteInfo& route : routes()) {
    const json::object* operation = operation_of(route);
    if (operation == nullptr) continue;  // reported by EveryRouteIsDocumented
    const std::string id = string_of(*operation, "operationId");
    EXPECT_FALSE(id.empty()) << route.name() << " has no operationId";
    if (id.empty()) continue;
    auto [it, inserted] = seen.emplace(id, route.name());
    EXPECT_TRUE(inserted) << route.name() << " reuses operationId \"" << id << "\" of "
                          << it->second;
  }
}

TEST_F(OpenApiTest, ResponsesListSuccessAndTheErrorsTheRouteCanGive) {
  for (const RouteInfo& route : routes()) {
    const json::object* operation = operation_of(route);
    if (operation == nullptr) continue;
    SCOPED_TRACE(route.name());
    const json::object* responses = object_at(*operation, "responses");
    ASSERT_NE(responses, nullptr) << route.name() << " documents no responses";

    std::set<std::string> statuses;
    for (const auto& [code, response] : *responses) statuses.insert(std::string(code));
    EXPECT_TRUE(std::any_of(statuses.begin(), statuses.end(),
                            [](const std::string& s) { return s.starts_with("2"); }))
        << route.name() << " documents no 2xx response";

    std::map<std::string, std::string> required;  // status -> why
    if (route.access != http::Access::kPublic) {
      required["401"] = "the route needs a bearer token";
      required["503"] = "authentication reads the store";
    }
    if (route.access == http::Access::kAdmin) required["403"] = "the route is admin-only";
    if (!pattern_parameters(route.pattern).empty()) {
      required["400"] = "a path parameter that is not a UUID is a bad request";
      required["404"] = "the object named by the path may not exist";
    }
    if (route.streams_body) {
      required["400"] = "a malformed multipart body is a bad request";
      required["413"] = "the upload may be too large";
      required["422"] = "the file may be empty";
    } else if (operation->contains("requestBody")) {
      required["400"] = "a malformed or empty JSON body is a bad request";
      required["413"] = "the body may be too large";
      required["415"] = "the body may have the wrong content type";
      required["422"] = "the body may have invalid or unknown fields";
    }
    for (const json::object* parameter : parameters_of(route)) {
      if (string_of(*parameter, "in") == "query")
        required["400"] = "a query parameter may be malformed";
    }
    for (const auto& [status, why] : required) {
      EXPECT_TRUE(statuses.contains(status))
          << route.name() << " should document " << status << ": " << why;
    }

    for (const auto& [code, response] : *responses) {
      const json::object* resolved = resolve_object(response);
      ASSERT_NE(resolved, nullptr) << route.name() << " response " << code << " does not resolve";
      EXPECT_FALSE(string_of(*resolved, "description").empty())
          << route.name() << " response " << code << " has no description";
      const json::object* headers = object_at(*resolved, "headers");
      EXPECT_TRUE(headers != nullptr && headers->contains("X-Request-ID"))
          << route.name() << " response " << code << " does not declare the X-Request-ID header";
      if (code.starts_with("4") || code.starts_with("5")) {
        const json::object* content = object_at(*resolved, "content");
        const json::object* problem =
            content == nullptr ? nullptr : object_at(*content, "application/problem+json");
        const json::object* schema = problem == nullptr ? nullptr : object_at(*problem, "schema");
        EXPECT_TRUE(schema != nullptr && extends_problem(*schema))
            << route.name() << " error response " << code
            << " is not application/problem+json with the shared Problem schema";
      }
    }
  }
}

TEST_F(OpenApiTest, PathParametersAreDeclaredAsUuids) {
  for (const RouteInfo& route : routes()) {
    if (operation_of(route) == nullptr) continue;
    std::map<std::string, const json::object*> declared;
    for (const json::object* parameter : parameters_of(route)) {
      if (string_of(*parameter, "in") == "path")
        declared[string_of(*parameter, "name")] = parameter;
    }
    const std::vector<std::string> in_pattern = pattern_parameters(route.pattern);
    for (const std::string& name : in_pattern) {
      auto it = declared.find(name);
      if (it == declared.end()) {
        ADD_FAILURE() << route.name() << " does not declare its path parameter {" << name << "}";
        continue;
      }
      auto required = it->second->find("required");
      EXPECT_TRUE(required != it->second->end() && required->value() == true)
          << route.name() << " path parameter {" << name << "} must be required";
      const json::object* schema = object_at(*it->second, "schema");
      EXPECT_TRUE(schema != nullptr && string_of(*schema, "format") == "uuid")
          << route.name() << " path parameter {" << name << "} should be a string of format uuid";
    }
    for (const auto& [name, parameter] : declared) {
      EXPECT_NE(std::find(in_pattern.begin(), in_pattern.end(), name), in_pattern.end())
          << route.name() << " declares a path parameter {" << name
          << "} its pattern does not have";
    }
  }
}

TEST_F(OpenApiTest, SecurityMatchesRouteAccess) {
  const json::object* components = object_at(doc(), "components");
  const json::object* schemes =
      components == nullptr ? nullptr : object_at(*components, "securitySchemes");
  const json::object* bearer = schemes == nullptr ? nullptr : object_at(*schemes, "bearerAuth");
  ASSERT_NE(bearer, nullptr) << "components.securitySchemes.bearerAuth is missing";
  EXPECT_EQ(string_of(*bearer, "type"), "http");
  EXPECT_EQ(string_of(*bearer, "scheme"), "bearer");
  EXPECT_EQ(string_of(*bearer, "bearerFormat"), "JWT");

  const json::value* root_security = doc().if_contains("security");
  for (const RouteInfo& route : routes()) {
    const json::object* operation = operation_of(route);
    if (operation == nullptr) continue;
    const json::value* security = operation->if_contains("security");
    if (security == nullptr) security = root_security;
    bool bearer_required = false;
    bool any_requirement = false;
    if (security != nullptr && security->is_array()) {
      for (const auto& requirement : security->as_array()) {
        if (!requirement.is_object()) continue;
        if (requirement.as_object().empty()) continue;  // {} means "no authentication needed"
        any_requirement = true;
        if (requirement.as_object().contains("bearerAuth")) bearer_required = true;
      }
    }
    if (route.access == http::Access::kPublic) {
      EXPECT_FALSE(any_requirement)
          << route.name() << " is public but the document asks for authentication";
    } else {
      EXPECT_TRUE(bearer_required)
          << route.name() << " needs a bearer token but the document does not declare "
          << "security: [{\"bearerAuth\": []}]";
    }
  }
}

TEST_F(OpenApiTest, RequestBodiesAreJsonObjectsThatRejectUnknownFields) {
  for (const RouteInfo& route : routes()) {
    const json::object* operation = operation_of(route);
    if (operation == nullptr || !operation->contains("requestBody") || route.streams_body) continue;
    const json::object* body = resolve_object(operation->at("requestBody"));
    ASSERT_NE(body, nullptr) << route.name() << " requestBody does not resolve";
    const json::object* content = object_at(*body, "content");
    const json::object* media =
        content == nullptr ? nullptr : object_at(*content, "application/json");
    const json::object* schema = media == nullptr ? nullptr : object_at(*media, "schema");
    ASSERT_NE(schema, nullptr) << route.name() << " requestBody has no application/json schema";
    schema = resolve_object(*schema);
    ASSERT_NE(schema, nullptr) << route.name() << " requestBody schema does not resolve";
    EXPECT_EQ(string_of(*schema, "type"), "object") << route.name();
    const json::value* additional = schema->if_contains("additionalProperties");
    EXPECT_TRUE(additional != nullptr && *additional == false)
        << route.name()
        << " request body must say additionalProperties: false (unknown fields are a 422)";
  }
}

TEST_F(OpenApiTest, EveryOperationAcceptsXRequestId) {
  for (const RouteInfo& route : routes()) {
    if (operation_of(route) == nullptr) continue;
    bool found = false;
    for (const json::object* parameter : parameters_of(route)) {
      found = found || (string_of(*parameter, "in") == "header" &&
                        string_of(*parameter, "name") == "X-Request-ID");
    }
    EXPECT_TRUE(found) << route.name() << " does not declare the X-Request-ID request header";
  }
}

TEST_F(OpenApiTest, ProblemSchemaHasTheSharedShape) {
  const json::object* components = object_at(doc(), "components");
  const json::object* schemas = components == nullptr ? nullptr : object_at(*components, "schemas");
  const json::object* problem = schemas == nullptr ? nullptr : object_at(*schemas, "Problem");
  ASSERT_NE(problem, nullptr) << "components.schemas.Problem is missing";
  const json::object* properties = object_at(*problem, "properties");
  ASSERT_NE(properties, nullptr);
  for (const char* name : {"type", "title", "status", "detail", "request_id", "errors"}) {
    EXPECT_TRUE(properties->contains(name)) << "Problem has no property " << name;
  }
  const json::object* errors = object_at(*properties, "errors");
  ASSERT_NE(errors, nullptr);
  const json::object* item =
      errors->contains("items") ? resolve_object(errors->at("items")) : nullptr;
  ASSERT_NE(item, nullptr) << "Problem.errors has no item schema";
  const json::object* item_properties = object_at(*item, "properties");
  ASSERT_NE(item_properties, nullptr);
  EXPECT_TRUE(item_properties->contains("field"));
  EXPECT_TRUE(item_properties->contains("message"));
}

TEST_F(OpenApiTest, ResponseBodiesHaveTheDocumentedShapes) {
  using http::beast_http::verb;
  {
    auto res = call(verb::get, "/health/live", nullptr);
    expect_shape(json::parse(res.body()), "HealthLive");
  }
  {
    auto res = call(verb::get, "/health/ready", nullptr);
    expect_shape(json::parse(res.body()), "HealthReady");
  }
  const json::object credentials{{"email", "shape@example.com"},
                                 {"password", "a long enough password"}};
  json::object registration = credentials;
  registration["display_name"] = "Shape";
  {
    auto res = call(verb::post, "/api/v1/auth/register", &registration);
    ASSERT_EQ(res.result_int(), 202u) << res.body();
    expect_shape(json::parse(res.body()), "RegistrationAccepted");
  }
  std::string access_token;
  {
    auto res = call(verb::post, "/api/v1/auth/login", &credentials);
    ASSERT_EQ(res.result_int(), 200u) << res.body();
    json::value tokens = json::parse(res.body());
    expect_shape(tokens, "TokenResponse");
    access_token = std::string(tokens.at("access_token").as_string());
  }
  {
    json::object cookie_login = credentials;
    cookie_login["session"] = "cookie";
    auto res = call(verb::post, "/api/v1/auth/login", &cookie_login);
    ASSERT_EQ(res.result_int(), 200u) << res.body();
    expect_shape(json::parse(res.body()), "CookieTokenResponse");
  }
  auto actor = parts_->services->auth().authenticate(access_token);
  ASSERT_TRUE(actor.ok()) << actor.error().message();
  const json::object project_body{{"name", "Shapes"}, {"description", "checks the document"}};
  std::string project_id;
  {
    auto res = call(verb::post, "/api/v1/projects", &project_body, *actor);
    ASSERT_EQ(res.result_int(), 201u) << res.body();
    json::value project = json::parse(res.body());
    expect_shape(project, "Project");
    project_id = std::string(project.at("id").as_string());
  }
  {
    auto res = call(verb::get, "/api/v1/projects?per_page=5", nullptr, *actor);
    ASSERT_EQ(res.result_int(), 200u) << res.body();
    json::value page = json::parse(res.body());
    expect_shape(page, "ProjectPage");
  }
  {
    auto res = call(verb::get, "/api/v1/projects/" + project_id + "/audit", nullptr, *actor);
    ASSERT_EQ(res.result_int(), 200u) << res.body();
    json::value page = json::parse(res.body());
    expect_shape(page, "AuditPage");
    ASSERT_FALSE(page.at("items").as_array().empty());
    expect_shape(page.at("items").as_array().front(), "AuditEntry");
  }
  {
    const json::object source_body{{"name", "Bank"}, {"kind", "bank"}};
    auto res = call(verb::post, "/api/v1/projects/" + project_id + "/data-sources", &source_body, *actor);
    ASSERT_EQ(res.result_int(), 201u) << res.body();
    expect_shape(json::parse(res.body()), "DataSource");
    auto list = call(verb::get, "/api/v1/projects/" + project_id + "/data-sources", nullptr, *actor);
    ASSERT_EQ(list.result_int(), 200u) << list.body();
    expect_shape(json::parse(list.body()), "DataSourcePage");
  }
}

}  // namespace
}  // namespace oeuvre::api
