// A stop (SIGTERM/SIGINT in production) lets an in-flight request finish, then refuses new
// connections; a streamed response (an export) finishes within the grace period, or ends at a
// record boundary, visibly incomplete, when it cannot; an event stream ends at once.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <thread>

#include "http/pipeline.h"
#include "http/router.h"
#include "http/server.h"
#include "observability/metrics.h"
#include "support/test_server.h"
#include "observability/log.h"

namespace oeuvre::testing {
namespace {

TEST(GracefulShutdownTest, InFlightRequestFinishesThenNewConnectionsAreRefused) {
  TestServer server([](Config& c) {
    c.db_pool_size = 1;
    c.db_wait_timeout_ms = 10000;
  });
  ASSERT_TRUE(server.started());
  Session user = server.register_user("drain@example.com");
  auto created = server.post("/api/v1/projects", boost::json::object{{"name", "kept"}}, user.access_token);
  ASSERT_EQ(created.status, 201u);
  const std::string id(created.json().at("id").as_string());

  // Hold the only connection so the next request waits inside its handler.
  auto held = server.app().database().acquire();
  ASSERT_TRUE(held.ok());
  auto in_flight = std::async(std::launch::async, [&] {
    return server.get("/api/v1/projects/" + id, user.access_token);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  auto stopping = std::async(std::launch::async, [&] { server.stop(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  held = Error::Internal("released");  // gives the connection back

  HttpResult result = in_flight.get();
  EXPECT_EQ(result.status, 200u) << result.body;
  EXPECT_EQ(result.header("connection"), "close");
  stopping.get();

  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket socket(ioc);
  boost::system::error_code ec;
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()}, ec);
  EXPECT_TRUE(ec) << "the server still accepts connections after stopping";
}

// ---------------------------------------------------------------------------------------------------
// Streamed responses (exports) at shutdown, on a server whose one route streams a JSON array of
// `records` elements, one per piece, each taking `every`.

class SlowArray final : public http::ResponseStream {
 public:
  SlowArray(int records, std::chrono::milliseconds every) : records_(records), every_(every) {}
  Result<Step> next(std::string& out) override {
    std::this_thread::sleep_for(every_);
    if (sent_ == 0) out += "[";
    if (sent_ == records_) {
      out += "]\n";
      return Step::kDone;
    }
    out += (sent_ == 0 ? "\n" : ",\n") + std::string("{\"n\":") + std::to_string(sent_) + "}";
    ++sent_;
    return Step::kMore;
  }

 private:
  const int records_;
  const std::chrono::milliseconds every_;
  int sent_ = 0;
};

// An endless stream (Server-Sent Events): nothing new, ever (it waits).
class Quiet final : public http::ResponseStream {
 public:
  Result<Step> next(std::string& out) override {
    if (!started_) out += "retry: 2000\n\n";
    started_ = true;
    return Step::kWait;
  }
  std::chrono::milliseconds wait_interval() const override { return std::chrono::milliseconds(50); }

 private:
  bool started_ = false;
};

struct StreamingServer {
  obs::Metrics metrics;
  std::unique_ptr<http::Pipeline> pipeline;
  std::unique_ptr<http::Server> server;
  std::thread thread;

  StreamingServer(std::function<std::shared_ptr<http::ResponseStream>()> make_stream,
                  std::chrono::milliseconds grace) {
    http::Router router;
    router.add(http::beast_http::verb::get, "/stream", http::Access::kPublic,
               [make_stream](http::Exchange& ex) -> Result<http::HttpResponse> {
                 ex.response_stream = make_stream();
                 http::HttpResponse res{http::beast_http::status::ok, 11};
                 res.set(http::beast_http::field::content_type, "application/json");
                 return res;
               });
    pipeline = std::make_unique<http::Pipeline>(std::move(router), metrics);
    http::ServerOptions options;
    options.port = 0;
    options.worker_threads = 2;
    options.shutdown_grace = grace;
    server = std::make_unique<http::Server>(options, *pipeline, metrics);
    EXPECT_TRUE(server->start().ok());
    thread = std::thread([this] { server->run(); });
  }
  ~StreamingServer() {
    server->stop();
    if (thread.joinable()) thread.join();
  }
};

// What a client received of a streamed response.
struct Received {
  std::string body;
  bool complete = false;  // the chunked body ended with its last chunk
};

// GETs /stream; calls `on_headers` once the headers arrived, then reads to the end.
Received read_stream(std::uint16_t port, const std::function<void()>& on_headers) {
  namespace beast = boost::beast;
  boost::asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  beast::http::request<beast::http::empty_body> req{beast::http::verb::get, "/stream", 11};
  req.set(beast::http::field::host, "127.0.0.1");
  beast::http::write(stream, req);
  beast::flat_buffer buffer;
  beast::http::response_parser<beast::http::string_body> parser;
  parser.body_limit(boost::none);
  beast::error_code ec;
  beast::http::read_header(stream, buffer, parser, ec);
  EXPECT_FALSE(ec) << ec.message();
  EXPECT_EQ(parser.get().result_int(), 200u);
  on_headers();
  beast::http::read(stream, buffer, parser, ec);
  return {parser.get().body(), !ec && parser.is_done()};
}

TEST(GracefulShutdownTest, AStreamedExportFinishesWithinTheGracePeriod) {
  StreamingServer s([] { return std::make_shared<SlowArray>(12, std::chrono::milliseconds(100)); },
                    std::chrono::seconds(10));
  const auto start = std::chrono::steady_clock::now();
  Received got = read_stream(s.server->port(), [&] { s.server->stop(); });
  EXPECT_TRUE(got.complete) << "the stream was cut: " << got.body;
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(got.body, ec);
  ASSERT_FALSE(ec) << "not valid JSON: " << got.body;
  ASSERT_TRUE(parsed.is_array());
  EXPECT_EQ(parsed.as_array().size(), 12u);
  s.thread.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5))
      << "the stop waited for nothing";
}

TEST(GracefulShutdownTest, AStreamThatCannotFinishInTimeEndsAtARecordBoundaryAndSaysSo) {
  StreamingServer s([] { return std::make_shared<SlowArray>(1000, std::chrono::milliseconds(50)); },
                    std::chrono::seconds(2));
  ::testing::internal::CaptureStderr();
  const auto start = std::chrono::steady_clock::now();
  Received got = read_stream(s.server->port(), [&] { s.server->stop(); });
  s.thread.join();
  const auto took = std::chrono::steady_clock::now() - start;
  oeuvre::obs::flush_logs();  // the info lines are written in batches
  const std::string logged = ::testing::internal::GetCapturedStderr();
  EXPECT_FALSE(got.complete) << "a cut stream must not look complete";
  ASSERT_TRUE(got.body.starts_with("[\n{\"n\":0}")) << got.body.substr(0, 100);
  EXPECT_TRUE(got.body.ends_with("}"))
      << "not at a record boundary: ..." << got.body.substr(got.body.size() - 20);
  // Each record whole: the body is valid JSON once the array is closed.
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(got.body + "]", ec);
  ASSERT_FALSE(ec) << got.body;
  EXPECT_GT(parsed.as_array().size(), 10u) << "the stream went on during the grace period";
  EXPECT_LT(took, std::chrono::seconds(4)) << "the grace period was not kept";
  EXPECT_NE(logged.find("cut"), std::string::npos) << "the cut is not logged: " << logged;
}

TEST(GracefulShutdownTest, AnEventStreamEndsAtOnceAtShutdown) {
  StreamingServer s([] { return std::make_shared<Quiet>(); }, std::chrono::seconds(10));
  const auto start = std::chrono::steady_clock::now();
  Received got = read_stream(s.server->port(), [&] { s.server->stop(); });
  s.thread.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  EXPECT_TRUE(got.body.starts_with("retry: 2000")) << got.body;
}

}  // namespace
}  // namespace oeuvre::testing
