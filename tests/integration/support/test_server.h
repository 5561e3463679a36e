#pragma once
// An in-process Œuvre server on a free loopback port, over a fresh database of the backend named by
// OEUVRE_TEST_BACKEND (sqlite | postgres), and a small blocking HTTP client for it.

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>
#include <chrono>
#include <functional>

#include "app/server_app.h"
#include "support/test_database.h"

namespace oeuvre::testing {

struct HttpResult {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
  boost::json::value json() const;  // null when the body is not JSON
  std::string header(const std::string& name) const;
};

// The `field` of each entry of a problem's `errors` (empty when there are none).
std::vector<std::string> error_fields(const HttpResult& res);

// A problem+json answer with `status`, an error for `field`, and the response's request id.
void expect_field_error(const HttpResult& res, unsigned status, const std::string& field);

struct Session {
  std::string access_token;
  std::string refresh_token;
  std::string user_id;
  std::string email;
};

class TestServer {
 public:
  // Extra configuration may be applied by `tweak` before the server starts.
  explicit TestServer(const std::function<void(Config&)>& tweak = {});
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  // A second server (another node) on `owner`'s database and var folder: it shares the JWT secret, so
  // tokens issued by either are accepted by both. `tweak` is applied after the database URL and var
  // folder are set. REQUIRES: `owner` outlives the returned server (it owns the database and folder).
  static std::unique_ptr<TestServer> sharing(const TestServer& owner, const std::function<void(Config&)>& tweak = {});

  std::uint16_t port() const { return port_; }
  // The /metrics listener's port (a free one: the tests set METRICS_PORT 0); 0 when there is none.
  std::uint16_t metrics_port() const { return metrics_port_; }
  // False when the server failed to start (already reported to GoogleTest); app() then must not be used.
  bool started() const { return app_ != nullptr; }
  // REQUIRES: started().
  app::ServerApp& app() { return *app_; }
  const Config& config() const { return config_; }

  // One request on a fresh connection. `token` adds "Authorization: Bearer <token>".
  HttpResult request(const std::string& method, const std::string& target, const std::string& body = "",
                     const std::string& token = "",
                     const std::map<std::string, std::string>& headers = {},
                     const std::string& content_type = "application/json");
  // As request(), on a connection from the local address `source_ip` (any 127.x.y.z: Linux routes
  // the whole loopback block), so the server sees another client address.
  HttpResult request_from(const std::string& source_ip, const std::string& method,
                          const std::string& target, const std::string& body = "",
                          const std::string& token = "");
  // GET /metrics on the metrics listener (`token`, when given, as its bearer token).
  HttpResult scrape(const std::string& token = "");
  HttpResult get(const std::string& target, const std::string& token = "") { return request("GET", target, "", token); }
  HttpResult post(const std::string& target, const boost::json::value& body, const std::string& token = "") {
    return request("POST", target, boost::json::serialize(body), token);
  }
  HttpResult patch(const std::string& target, const boost::json::value& body, const std::string& token = "") {
    return request("PATCH", target, boost::json::serialize(body), token);
  }
  HttpResult del(const std::string& target, const std::string& token = "") { return request("DELETE", target, "", token); }

  // Registers (over HTTP) and logs in a user; the password is "correct horse battery".
  Session register_user(const std::string& email);
  // Creates an admin directly through the auth service, then logs in over HTTP.
  Session create_admin(const std::string& email);
  Session login(const std::string& email, const std::string& password);

  // Polls GET /api/v1/files/{id} until parsing ended (status parsed or failed) or `timeout` passed;
  // returns the last answer.
  HttpResult wait_for_file(const std::string& file_id, const std::string& token,
                           std::chrono::milliseconds timeout = std::chrono::seconds(60));

  // Uploads `content` raw to a data source and waits for parsing to end; returns the file as last read
  // (its upload answer when the upload was refused; the refusal is reported to GoogleTest).
  HttpResult upload_and_wait(const std::string& data_source_id, const std::string& content, const std::string& token,
                             const std::string& filename = "upload.csv");

  // Polls GET /api/v1/jobs/{id} until the job's status is one of `statuses` (default: an end state,
  // completed, failed or cancelled), the answer is not a 200, or `timeout` passed; returns the last answer.
  HttpResult wait_for_job(const std::string& job_id, const std::string& token,
                          std::chrono::milliseconds timeout = std::chrono::seconds(60),
                          const std::vector<std::string>& statuses = {"completed", "failed", "cancelled"});

  // Stops the server gracefully (also done by the destructor).
  void stop();

 private:
  struct JoinExisting {};
  TestServer(JoinExisting, const TestServer& owner, const std::function<void(Config&)>& tweak);
  // One request on a fresh connection to `port`, bound to `source_ip` unless it is empty.
  HttpResult exchange(std::uint16_t port, const std::string& source_ip, const std::string& method,
                      const std::string& target, const std::string& body, const std::string& token,
                      const std::map<std::string, std::string>& headers,
                      const std::string& content_type);
  // Fills config_ around `database_url` and `var_dir`, applies `tweak`, and starts the server.
  void start(const std::string& database_url, const std::string& var_dir, const std::function<void(Config&)>& tweak);

  TestDatabase database_;  // empty (owns nothing) for a server made by sharing()
  std::string var_dir_;
  bool owns_var_dir_ = true;
  Config config_;
  std::unique_ptr<app::ServerApp> app_;
  std::thread thread_;
  std::uint16_t port_ = 0;
  std::uint16_t metrics_port_ = 0;
  bool stopped_ = false;
};

// Several requests on one kept-alive connection (HEAD responses are read without a body, as HTTP
// requires). Not safe for concurrent use.
class HttpConnection {
 public:
  explicit HttpConnection(std::uint16_t port);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  bool connected() const { return connected_; }
  // Sends one request and reads one response. A failed read or write returns status 0 and marks the
  // connection closed.
  HttpResult send(const std::string& method, const std::string& target, const std::string& body = "",
                  const std::string& token = "", const std::map<std::string, std::string>& headers = {},
                  const std::string& content_type = "application/json");
  // Writes raw bytes (for requests the client library would refuse to build).
  bool send_raw(const std::string& bytes);
  // Reads one response to a request sent with send_raw.
  HttpResult read_response(bool head = false);
  // True once the server has closed the connection (read returns EOF within `wait`).
  bool closed_by_peer(std::chrono::milliseconds wait = std::chrono::milliseconds(2000));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool connected_ = false;
};

// (method, pattern, access) of every route api::build_router() registers, in registration order.
struct RouteInfo {
  std::string method;   // "GET", "POST", ...
  std::string pattern;  // "/api/v1/projects/{id}"
  std::string access;   // "public" | "authenticated" | "admin"
};
std::vector<RouteInfo> router_routes(store::Database& db);

inline constexpr const char* kTestPassword = "correct horse battery";

}  // namespace oeuvre::testing
