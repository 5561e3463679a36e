// Tracing over real HTTP on both backends (issue 15): a request's id and its W3C traceparent's trace
// id follow the work it queued (the parse of an uploaded file, a reconciliation job) into the log
// lines the background workers write and into the audit rows of that work; responses carry the
// request's traceparent with this server's span; an invalid traceparent starts a new trace (never a
// 4xx); requests slower than SLOW_REQUEST_MS are logged with their time per phase.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "support/json_path.h"
#include "support/test_server.h"
#include "observability/log.h"

namespace oeuvre::testing {
namespace {

namespace json = boost::json;

constexpr const char* kBankCsv =
    "id,date,amount,currency,reference,description,counterparty\n"
    "B01,2026-03-02,1250.00,EUR,INV-1001,SEPA CREDIT ACME CORP INVOICE 1001,ACME CORP\n"
    "B02,2026-03-03,310.00,EUR,INV-1002,GIRO CREDIT GLOBEX INVOICE 1002,GLOBEX\n";
constexpr const char* kLedgerCsv =
    "id,date,amount,currency,reference,description,counterparty\n"
    "L01,2026-03-02,1250.00,EUR,INV-1001,Invoice 1001 Acme Corp,Acme Corp\n"
    "L02,2026-03-02,310.00,EUR,INV-1002,Invoice 1002 Globex,Globex Inc\n";

constexpr const char* kUploadTrace = "0af7651916cd43dd8448eb211c80319c";
constexpr const char* kUploadParent = "b7ad6b7169203331";
constexpr const char* kJobTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
constexpr const char* kJobParent = "00f067aa0ba902b7";

std::string id_of(const HttpResult& res) { return json_string(res.json(), "id"); }

// The JSON log lines among `output` (other lines, such as GoogleTest's, are skipped).
std::vector<json::object> log_lines(const std::string& output) {
  std::vector<json::object> lines;
  std::size_t start = 0;
  while (start < output.size()) {
    std::size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    boost::system::error_code ec;
    json::value v = json::parse(std::string_view(output).substr(start, end - start), ec);
    if (!ec && v.is_object()) lines.push_back(v.as_object());
    start = end + 1;
  }
  return lines;
}

std::string str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : "<absent>";
}

// The log lines with message `msg` whose `key` is `value`.
std::vector<json::object> lines_where(const std::vector<json::object>& lines, std::string_view msg,
                                      std::string_view key, const std::string& value) {
  std::vector<json::object> out;
  for (const auto& line : lines) {
    if (str(line, "msg") == msg && str(line, key) == value) out.push_back(line);
  }
  return out;
}

// Checks a response's traceparent: version 00, `trace_id`, a span of the server's own (not the
// caller's `parent_id`), and `flags`. Returns the server's span id.
std::string expect_traceparent(const HttpResult& res, const std::string& trace_id,
                               const std::string& parent_id, const std::string& flags) {
  const std::string header = res.header("traceparent");
  EXPECT_EQ(header.size(), 55u) << header;
  if (header.size() != 55u) return "";
  EXPECT_EQ(header.substr(0, 3), "00-") << header;
  EXPECT_EQ(header.substr(3, 32), trace_id) << header;
  const std::string span = header.substr(36, 16);
  EXPECT_NE(span, parent_id) << header;
  EXPECT_NE(span, std::string(16, '0')) << header;
  EXPECT_EQ(header.substr(52), "-" + flags) << header;
  return span;
}

TEST(TracingTest, AParseAndAJobCarryTheRequestThatQueuedThemIntoTheirLogsAndAuditRows) {
  TestServer server([](Config& c) { c.log_level = "info"; });  // the access log and the workers' lines
  ASSERT_TRUE(server.started());
  const Session alice = server.register_user("tracer@example.com");
  auto project = server.post("/api/v1/projects", json::object{{"name", "Traced"}}, alice.access_token);
  ASSERT_EQ(project.status, 201u) << project.body;
  const std::string project_id = id_of(project);
  std::vector<std::string> sources;
  for (const char* name : {"Bank", "Ledger"}) {
    auto res = server.post("/api/v1/projects/" + project_id + "/data-sources",
                           json::object{{"name", name}, {"kind", "bank"}}, alice.access_token);
    ASSERT_EQ(res.status, 201u) << res.body;
    sources.push_back(id_of(res));
  }

  ::testing::internal::CaptureStderr();
  // A file uploaded with a traceparent; the other without one (the server starts a trace).
  auto uploaded = server.request(
      "POST", "/api/v1/data-sources/" + sources[0] + "/files?filename=bank.csv", kBankCsv,
      alice.access_token,
      {{"X-Request-ID", "trace-upload-1"},
       {"traceparent", std::string("00-") + kUploadTrace + "-" + kUploadParent + "-01"}},
      "text/csv");
  const std::string file_id = id_of(uploaded);
  const auto parsed = server.wait_for_file(file_id, alice.access_token);
  auto ledger = server.request("POST", "/api/v1/data-sources/" + sources[1] + "/files?filename=l.csv",
                               kLedgerCsv, alice.access_token, {{"X-Request-ID", "trace-upload-2"}},
                               "text/csv");
  const auto ledger_parsed = server.wait_for_file(id_of(ledger), alice.access_token);
  // A job created with another traceparent, not sampled.
  auto created = server.request(
      "POST", "/api/v1/projects/" + project_id + "/jobs",
      json::serialize(json::object{{"name", "Traced job"},
                                   {"left_data_source_id", sources[0]},
                                   {"right_data_source_id", sources[1]}}),
      alice.access_token,
      {{"X-Request-ID", "trace-job-1"},
       {"traceparent", std::string("00-") + kJobTrace + "-" + kJobParent + "-00"}});
  const std::string job_id = id_of(created);
  const auto done = server.wait_for_job(job_id, alice.access_token);
  oeuvre::obs::flush_logs();  // the info lines are written in batches
  const std::string output = ::testing::internal::GetCapturedStderr();

  ASSERT_EQ(uploaded.status, 201u) << uploaded.body;
  ASSERT_EQ(json_string(parsed.json(), "status"), "parsed") << parsed.body;
  ASSERT_EQ(json_string(ledger_parsed.json(), "status"), "parsed") << ledger_parsed.body;
  ASSERT_EQ(created.status, 201u) << created.body;
  ASSERT_EQ(json_string(done.json(), "status"), "completed") << done.body;

  // The responses: the request id as sent, the caller's trace with the server's span.
  EXPECT_EQ(uploaded.header("x-request-id"), "trace-upload-1");
  const std::string upload_span = expect_traceparent(uploaded, kUploadTrace, kUploadParent, "01");
  EXPECT_EQ(created.header("x-request-id"), "trace-job-1");
  const std::string job_span = expect_traceparent(created, kJobTrace, kJobParent, "00");
  const std::string ledger_trace = ledger.header("traceparent").substr(3, 32);
  EXPECT_EQ(ledger_trace.size(), 32u) << ledger.header("traceparent");

  const auto lines = log_lines(output);
  // The requests' own lines carry their request id, trace id and the server's span.
  auto request_lines = lines_where(lines, "request", "request_id", "trace-job-1");
  ASSERT_EQ(request_lines.size(), 1u) << output;
  EXPECT_EQ(str(request_lines[0], "trace_id"), kJobTrace);
  EXPECT_EQ(str(request_lines[0], "span_id"), job_span);
  request_lines = lines_where(lines, "request", "request_id", "trace-upload-1");
  ASSERT_EQ(request_lines.size(), 1u) << output;
  EXPECT_EQ(str(request_lines[0], "trace_id"), kUploadTrace);
  EXPECT_EQ(str(request_lines[0], "span_id"), upload_span);

  // The ingest worker's lines for the file: the upload's request id and trace id.
  const auto parse_lines = lines_where(lines, "file parsed", "file_id", file_id);
  ASSERT_EQ(parse_lines.size(), 1u) << output;
  EXPECT_EQ(str(parse_lines[0], "request_id"), "trace-upload-1");
  EXPECT_EQ(str(parse_lines[0], "trace_id"), kUploadTrace);
  const auto ledger_lines = lines_where(lines, "file parsed", "file_id", id_of(ledger));
  ASSERT_EQ(ledger_lines.size(), 1u) << output;
  EXPECT_EQ(str(ledger_lines[0], "request_id"), "trace-upload-2");
  EXPECT_EQ(str(ledger_lines[0], "trace_id"), ledger_trace);

  // The job worker's lines: the creating request's id and trace id.
  for (const char* msg : {"reconciliation job started", "reconciliation job completed"}) {
    const auto job_lines = lines_where(lines, msg, "job_id", job_id);
    ASSERT_EQ(job_lines.size(), 1u) << msg << "\n" << output;
    EXPECT_EQ(str(job_lines[0], "request_id"), "trace-job-1") << msg;
    EXPECT_EQ(str(job_lines[0], "trace_id"), kJobTrace) << msg;
  }

  // The audit rows of the work: the request's row and the worker's row, both with its ids.
  auto trail = server.get("/api/v1/projects/" + project_id + "/audit?per_page=100", alice.access_token);
  ASSERT_EQ(trail.status, 200u) << trail.body;
  std::map<std::string, json::object> by_action;
  for (const auto& item : json_array(trail.json(), "items")) {
    const json::object& row = item.as_object();
    if (str(row, "resource_id") == job_id || str(row, "resource_id") == file_id) {
      by_action[str(row, "action")] = row;
    }
  }
  for (const auto& [action, request_id, trace_id] :
       {std::tuple{"file.upload", "trace-upload-1", kUploadTrace},
        std::tuple{"file.parse", "trace-upload-1", kUploadTrace},
        std::tuple{"job.create", "trace-job-1", kJobTrace},
        std::tuple{"job.complete", "trace-job-1", kJobTrace}}) {
    SCOPED_TRACE(action);
    ASSERT_TRUE(by_action.count(action)) << trail.body;
    EXPECT_EQ(str(by_action[action], "request_id"), request_id);
    EXPECT_EQ(str(by_action[action], "trace_id"), trace_id);
  }
}

TEST(TracingTest, AnInvalidTraceparentStartsANewTraceAndIsNeverRefused) {
  TestServer server;
  ASSERT_TRUE(server.started());
  const std::string parent = "00f067aa0ba902b7";
  const std::string invalid[] = {
      "00-" + std::string(32, '0') + "-" + parent + "-01",           // all-zero trace id
      std::string("00-") + kJobTrace + "-" + std::string(16, '0') + "-01",  // all-zero parent id
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-" + parent + "-01",       // uppercase
      "ff-" + std::string(kJobTrace) + "-" + parent + "-01",         // version ff
      std::string("00-") + kJobTrace + "-" + parent + "-01-extra",   // version 00 with more
      "garbage",
  };
  for (const std::string& header : invalid) {
    SCOPED_TRACE(header);
    auto res = server.request("GET", "/health/live", "", "", {{"traceparent", header}});
    EXPECT_EQ(res.status, 200u) << res.body;
    const std::string answer = res.header("traceparent");
    ASSERT_EQ(answer.size(), 55u) << answer;
    EXPECT_EQ(answer.substr(0, 3), "00-");
    EXPECT_NE(answer.substr(3, 32), kJobTrace);
    EXPECT_NE(answer.substr(3, 32), std::string(32, '0'));
    EXPECT_NE(answer.substr(36, 16), std::string(16, '0'));
    EXPECT_EQ(answer.substr(52), "-00");  // a trace the server starts is not sampled
  }
  // A later version is read by version 00's layout and answered as version 00.
  auto later = server.request("GET", "/health/live", "", "",
                              {{"traceparent", std::string("cc-") + kJobTrace + "-" + parent + "-01-more"}});
  EXPECT_EQ(later.status, 200u);
  expect_traceparent(later, kJobTrace, parent, "01");
  // Every answer carries one, a problem too.
  auto missing = server.get("/api/v1/no-such-thing");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.header("traceparent").size(), 55u);
  const json::value body = missing.json();
  EXPECT_EQ(json_string(body, "request_id"), missing.header("x-request-id"));
}

// A request whose body arrives `pause` after its head (so it is slow for sure).
HttpResult slow_post(TestServer& server, const Session& who, const std::string& request_id,
                     std::chrono::milliseconds pause) {
  HttpConnection conn(server.port());
  EXPECT_TRUE(conn.connected());
  const std::string body = R"({"name":"slowly sent"})";
  EXPECT_TRUE(conn.send_raw("POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            "Authorization: Bearer " + who.access_token + "\r\nX-Request-ID: " + request_id +
                            "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
  std::this_thread::sleep_for(pause);
  EXPECT_TRUE(conn.send_raw(body));
  return conn.read_response();
}

TEST(TracingTest, ASlowRequestIsLoggedWithItsTimePerPhase) {
  TestServer server([](Config& c) { c.slow_request_ms = 40; });
  ASSERT_TRUE(server.started());
  const Session alice = server.register_user("slow@example.com");
  ::testing::internal::CaptureStderr();
  auto res = slow_post(server, alice, "slow-1", std::chrono::milliseconds(80));
  oeuvre::obs::flush_logs();  // the info lines are written in batches
  const std::string output = ::testing::internal::GetCapturedStderr();
  ASSERT_EQ(res.status, 201u) << res.body;

  const auto slow = lines_where(log_lines(output), "slow request", "request_id", "slow-1");
  ASSERT_EQ(slow.size(), 1u) << output;
  const json::object& line = slow[0];
  EXPECT_EQ(str(line, "level"), "warn");
  EXPECT_EQ(str(line, "route"), "/api/v1/projects");
  EXPECT_EQ(json_int(line, "status"), 201);
  EXPECT_EQ(json_int(line, "threshold_ms"), 40);
  EXPECT_EQ(str(line, "trace_id").size(), 32u) << json::serialize(line);
  const double total = json_number(line, "duration_ms");
  EXPECT_GE(total, 70.0) << json::serialize(line);
  double sum = 0;
  for (const char* phase :
       {"pipeline", "authentication", "store", "cache", "handler", "serialising", "outside"}) {
    const double ms = json_number(line, std::string("phases_ms.") + phase);
    EXPECT_GE(ms, 0.0) << phase << " in " << json::serialize(line);
    sum += ms;
  }
  EXPECT_GT(json_number(line, "phases_ms.store"), 0.0) << json::serialize(line);  // the insert and its audit row
  EXPECT_GT(json_number(line, "phases_ms.handler"), 0.0) << json::serialize(line);
  EXPECT_GE(json_number(line, "phases_ms.outside"), 70.0) << json::serialize(line);  // the body's wait
  EXPECT_NEAR(sum, total, 0.01 * 7 + 0.001) << json::serialize(line);  // the phases add up (each rounded to µs)
}

TEST(TracingTest, SlowRequestLogsAreOffAtZero) {
  TestServer server([](Config& c) {
    c.slow_request_ms = 0;
    c.log_level = "info";  // the access log line
  });
  ASSERT_TRUE(server.started());
  const Session alice = server.register_user("fast@example.com");
  ::testing::internal::CaptureStderr();
  auto res = slow_post(server, alice, "slow-off", std::chrono::milliseconds(30));
  oeuvre::obs::flush_logs();  // the info lines are written in batches
  const std::string output = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(res.status, 201u) << res.body;
  EXPECT_TRUE(lines_where(log_lines(output), "slow request", "request_id", "slow-off").empty()) << output;
  EXPECT_EQ(lines_where(log_lines(output), "request", "request_id", "slow-off").size(), 1u) << output;
}

}  // namespace
}  // namespace oeuvre::testing
