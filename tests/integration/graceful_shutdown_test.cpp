// A stop (SIGTERM/SIGINT in production) lets an in-flight request finish, then refuses new connections.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <future>

#include "support/test_server.h"

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

}  // namespace
}  // namespace oeuvre::testing
