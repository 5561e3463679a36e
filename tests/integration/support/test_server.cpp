#include "support/test_server.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>

#include "api/service_stack.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "security/crypto.h"
#include "security/password.h"

namespace oeuvre::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

boost::json::value HttpResult::json() const {
  boost::system::error_code ec;
  auto v = boost::json::parse(body, ec);
  if (ec) return nullptr;
  return v;
}

std::string HttpResult::header(const std::string& name) const {
  std::string lowered = name;
  for (auto& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = headers.find(lowered);
  return it == headers.end() ? std::string() : it->second;
}

TestServer::TestServer(const std::function<void(Config&)>& tweak) : database_(make_test_database()) {
  var_dir_ = (std::filesystem::temp_directory_path() /
              ("oeuvre-var-" + security::hex_encode(*security::random_bytes(6))))
                 .string();
  start(database_.url, var_dir_, tweak);
}

TestServer::TestServer(JoinExisting, const TestServer& owner, const std::function<void(Config&)>& tweak)
    : var_dir_(owner.config_.var_dir), owns_var_dir_(false) {
  start(owner.config_.database_url, owner.config_.var_dir, tweak);
}

std::unique_ptr<TestServer> TestServer::sharing(const TestServer& owner, const std::function<void(Config&)>& tweak) {
  return std::unique_ptr<TestServer>(new TestServer(JoinExisting{}, owner, tweak));
}

void TestServer::start(const std::string& database_url, const std::string& var_dir,
                       const std::function<void(Config&)>& tweak) {
  config_.database_url = database_url;
  config_.host = "127.0.0.1";
  config_.port = 0;
  config_.var_dir = var_dir;
  config_.password_hash_cost = "minimal";
  config_.worker_threads = 4;
  config_.db_pool_size = 4;
  config_.shutdown_grace_seconds = 5;
  config_.log_level = "warn";
  config_.metrics_port = 0;  // each server its own free port for /metrics
  if (tweak) tweak(config_);
  obs::init_logging(config_.log_level);  // as `oeuvre serve` does; keeps test output readable
  auto created = app::ServerApp::create(config_);
  if (!created.ok()) {
    ADD_FAILURE() << "server did not start: " << created.error().message();
    return;
  }
  app_ = std::move(created).value();
  port_ = app_->port();
  metrics_port_ = app_->metrics_port();
  thread_ = std::thread([this] { app_->run(false); });
}

TestServer::~TestServer() {
  stop();
  if (!owns_var_dir_) return;
  std::error_code ec;
  std::filesystem::remove_all(var_dir_, ec);
}

void TestServer::stop() {
  if (stopped_ || !app_) return;
  stopped_ = true;
  app_->stop();
  if (thread_.joinable()) thread_.join();
}

HttpResult TestServer::request(const std::string& method, const std::string& target, const std::string& body,
                               const std::string& token, const std::map<std::string, std::string>& headers,
                               const std::string& content_type) {
  return exchange(port_, "", method, target, body, token, headers, content_type);
}

HttpResult TestServer::scrape(const std::string& token) {
  return exchange(metrics_port_, "", "GET", "/metrics", "", token, {}, "application/json");
}

HttpResult TestServer::request_from(const std::string& source_ip, const std::string& method,
                                    const std::string& target, const std::string& body,
                                    const std::string& token) {
  return exchange(port_, source_ip, method, target, body, token, {}, "application/json");
}

HttpResult TestServer::exchange(std::uint16_t port, const std::string& source_ip, const std::string& method,
                                const std::string& target, const std::string& body,
                                const std::string& token,
                                const std::map<std::string, std::string>& headers,
                                const std::string& content_type) {
  HttpResult out;
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.expires_after(std::chrono::seconds(60));
  if (!source_ip.empty()) {
    stream.socket().open(asio::ip::tcp::v4(), ec);
    if (!ec)
      stream.socket().bind(asio::ip::tcp::endpoint(asio::ip::make_address(source_ip), 0), ec);
    if (ec) {
      ADD_FAILURE() << "bind " << source_ip << ": " << ec.message();
      return out;
    }
  }
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) {
    ADD_FAILURE() << "connect: " << ec.message();
    return out;
  }
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  req.set(bhttp::field::user_agent, "oeuvre-tests");
  if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
  if (!body.empty() && !content_type.empty()) req.set(bhttp::field::content_type, content_type);
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  bhttp::write(stream, req, ec);
  if (ec) {
    ADD_FAILURE() << "write: " << ec.message();
    return out;
  }
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 << 20);
  parser.skip(method == "HEAD");  // a response to HEAD has no body, whatever its Content-Length says
  bhttp::read(stream, buffer, parser, ec);
  if (ec) {
    ADD_FAILURE() << "read: " << ec.message();
    return out;
  }
  auto res = parser.release();
  out.status = res.result_int();
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(field.value());
  }
  out.body = res.body();
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  return out;
}

Session TestServer::login(const std::string& email, const std::string& password) {
  Session s;
  s.email = email;
  auto res = post("/api/v1/auth/login", boost::json::object{{"email", email}, {"password", password}});
  EXPECT_EQ(res.status, 200u) << res.body;
  auto body = res.json();
  if (!body.is_object()) return s;
  s.access_token = std::string(body.at("access_token").as_string());
  s.refresh_token = std::string(body.at("refresh_token").as_string());
  auto me = get("/api/v1/auth/me", s.access_token);
  if (me.json().is_object()) s.user_id = std::string(me.json().at("id").as_string());
  return s;
}

Session TestServer::register_user(const std::string& email) {
  auto res = post("/api/v1/auth/register", boost::json::object{{"email", email}, {"password", kTestPassword}});
  EXPECT_EQ(res.status, 202u) << res.body;
  return login(email, kTestPassword);
}

Session TestServer::create_admin(const std::string& email) {
  if (!app_) {
    ADD_FAILURE() << "create_admin: the server did not start";
    return Session{"", "", "", email};
  }
  services::RequestMeta meta{"test", "127.0.0.1", "tests"};
  auto user = app_->auth().create_user({email, kTestPassword, "Admin", Role::kAdmin}, std::nullopt, meta);
  EXPECT_TRUE(user.ok()) << (user.ok() ? "" : user.error().message());
  return login(email, kTestPassword);
}

namespace {

HttpResult to_result(bhttp::response<bhttp::string_body>&& res) {
  HttpResult out;
  out.status = res.result_int();
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(field.value());
  }
  out.body = std::move(res.body());
  return out;
}

}  // namespace

struct HttpConnection::Impl {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buffer;
};

HttpConnection::HttpConnection(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
  beast::error_code ec;
  impl_->stream.expires_after(std::chrono::seconds(60));
  impl_->stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  connected_ = !ec;
}

HttpConnection::~HttpConnection() {
  beast::error_code ec;
  impl_->stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
}

bool HttpConnection::send_raw(const std::string& bytes) {
  if (!connected_) return false;
  beast::error_code ec;
  impl_->stream.expires_after(std::chrono::seconds(60));
  asio::write(impl_->stream, asio::buffer(bytes), ec);
  if (ec) connected_ = false;
  return !ec;
}

HttpResult HttpConnection::read_response(bool head) {
  if (!connected_) return {};
  beast::error_code ec;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 << 20);
  parser.skip(head);
  impl_->stream.expires_after(std::chrono::seconds(60));
  bhttp::read(impl_->stream, impl_->buffer, parser, ec);
  if (ec) {
    connected_ = false;
    return {};
  }
  return to_result(parser.release());
}

HttpResult HttpConnection::send(const std::string& method, const std::string& target, const std::string& body,
                                const std::string& token, const std::map<std::string, std::string>& headers,
                                const std::string& content_type) {
  if (!connected_) return {};
  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
  req.set(bhttp::field::host, "127.0.0.1");
  req.set(bhttp::field::user_agent, "oeuvre-tests");
  req.keep_alive(true);
  if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
  if (!body.empty() && !content_type.empty()) req.set(bhttp::field::content_type, content_type);
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  beast::error_code ec;
  impl_->stream.expires_after(std::chrono::seconds(60));
  bhttp::write(impl_->stream, req, ec);
  if (ec) {
    connected_ = false;
    return {};
  }
  return read_response(method == "HEAD");
}

bool HttpConnection::closed_by_peer(std::chrono::milliseconds wait) {
  if (!connected_) return true;
  beast::error_code ec;
  char byte = 0;
  impl_->stream.expires_after(wait);
  // Anything already buffered means the peer sent more than one response: not closed.
  if (impl_->buffer.size() > 0) return false;
  impl_->stream.read_some(asio::buffer(&byte, 1), ec);
  if (ec == asio::error::eof || ec == asio::error::connection_reset) {
    connected_ = false;
    return true;
  }
  return false;
}

std::vector<std::string> error_fields(const HttpResult& res) {
  std::vector<std::string> out;
  auto body = res.json();
  if (!body.is_object() || !body.as_object().contains("errors")) return out;
  for (const auto& e : body.at("errors").as_array()) out.emplace_back(e.at("field").as_string());
  return out;
}

void expect_field_error(const HttpResult& res, unsigned status, const std::string& field) {
  EXPECT_EQ(res.status, status) << res.body;
  EXPECT_TRUE(res.header("content-type").starts_with("application/problem+json")) << res.header("content-type");
  const auto fields = error_fields(res);
  EXPECT_NE(std::find(fields.begin(), fields.end(), field), fields.end())
      << "no error for field '" << field << "' in " << res.body;
  auto body = res.json();
  if (body.is_object() && res.header("content-type").starts_with("application/problem+json")) {
    const boost::json::value* request_id = body.as_object().if_contains("request_id");
    EXPECT_TRUE(request_id != nullptr && request_id->is_string() &&
                std::string(request_id->as_string()) == res.header("x-request-id"))
        << "the problem's request_id is not the response's X-Request-ID: " << res.body;
  }
}

HttpResult TestServer::wait_for_file(const std::string& file_id, const std::string& token,
                                     std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    HttpResult res = get("/api/v1/files/" + file_id, token);
    const boost::json::value body = res.json();
    if (res.status != 200 || !body.is_object()) return res;
    const auto& status = body.at("status").as_string();
    if (status == "parsed" || status == "failed" || std::chrono::steady_clock::now() > deadline) return res;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

HttpResult TestServer::upload_and_wait(const std::string& data_source_id, const std::string& content,
                                       const std::string& token, const std::string& filename) {
  HttpResult up = request("POST", "/api/v1/data-sources/" + data_source_id + "/files?filename=" + filename, content,
                          token, {}, "text/csv");
  EXPECT_EQ(up.status, 201u) << up.body;
  const boost::json::value body = up.json();
  if (up.status != 201 || !body.is_object() || !body.as_object().contains("id")) return up;
  return wait_for_file(std::string(body.at("id").as_string()), token);
}

HttpResult TestServer::wait_for_job(const std::string& job_id, const std::string& token,
                                    std::chrono::milliseconds timeout, const std::vector<std::string>& statuses) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    HttpResult res = get("/api/v1/jobs/" + job_id, token);
    const boost::json::value body = res.json();
    if (res.status != 200 || !body.is_object() || !body.as_object().contains("status")) return res;
    const std::string status(body.at("status").as_string());
    if (std::find(statuses.begin(), statuses.end(), status) != statuses.end()) return res;
    if (std::chrono::steady_clock::now() > deadline) {
      ADD_FAILURE() << "job " << job_id << " still " << status << " after " << timeout.count() << " ms: " << res.body;
      return res;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::vector<RouteInfo> router_routes(store::Database& db) {
  obs::Metrics metrics;
  services::AuthSettings settings;
  settings.jwt_secret = "tK8vW2qZ7nB4xR9mL1cF6hJ3pD0sG5yA";  // random: low-entropy secrets verify nothing
  settings.password_cost = security::PasswordCost::minimal();
  api::ServiceStack stack(db, metrics, std::move(settings), store::make_directory_blob_store("/nonexistent/blobs"));
  http::Router router = api::build_router(stack.api());
  std::vector<RouteInfo> out;
  for (const auto& route : router.routes()) {
    const char* access = route.access == http::Access::kPublic          ? "public"
                         : route.access == http::Access::kAuthenticated ? "authenticated"
                                                                        : "admin";
    out.push_back({std::string(bhttp::to_string(route.method)), route.pattern, access});
  }
  return out;
}

}  // namespace oeuvre::testing
