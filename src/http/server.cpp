#include "http/server.h"

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <list>
#include <mutex>
#include <thread>

#include "http/problem.h"
#include "observability/log.h"

namespace oeuvre::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

// One connection. Lives in a shared_ptr so shutdown can reach idle ones.
struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  bool busy = false;  // only touched on the connection's strand
  bool done = false;
};

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, Pipeline& p, obs::Metrics& m)
      : options(std::move(o)),
        pipeline(p),
        metrics(m),
        ioc(options.io_threads),
        acceptor(ioc),
        signals(ioc),
        workers(static_cast<std::size_t>(std::max(1, options.worker_threads))),
        drain_timer(ioc) {}

  ServerOptions options;
  Pipeline& pipeline;
  obs::Metrics& metrics;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  asio::signal_set signals;
  asio::thread_pool workers;
  asio::steady_timer drain_timer;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> queued{0};
  std::mutex connections_mu;
  std::list<std::shared_ptr<Connection>> connections;  // guarded by connections_mu

  asio::awaitable<void> listen() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        obs::log_warn("accept failed", {{"error", ec.message()}});
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto conn = std::make_shared<Connection>(std::move(socket));
      std::list<std::shared_ptr<Connection>>::iterator it;
      {
        std::lock_guard lock(connections_mu);
        connections.push_front(conn);
        it = connections.begin();
      }
      auto executor = conn->stream.get_executor();
      asio::co_spawn(executor, serve(conn), [this, it](std::exception_ptr) {
        std::lock_guard lock(connections_mu);
        (*it)->done = true;
        connections.erase(it);
      });
    }
  }

  // Runs the middleware chain and handler; spawned onto the worker pool.
  asio::awaitable<HttpResponse> handle_on_worker(std::shared_ptr<Exchange> exchange) {
    queued.fetch_sub(1);
    co_return pipeline.handle(*exchange);
  }

  HttpResponse early_problem(const Error& error, std::string_view incoming_id, bool keep_alive) {
    const std::string request_id = choose_request_id(incoming_id);
    HttpResponse res = problem_response(error, request_id);
    res.set("X-Request-ID", request_id);
    res.keep_alive(keep_alive);
    return res;
  }

  asio::awaitable<void> serve(std::shared_ptr<Connection> conn) {
    beast::flat_buffer buffer;
    std::string client_ip;
    {
      beast::error_code ec;
      auto endpoint = conn->stream.socket().remote_endpoint(ec);
      if (!ec) client_ip = endpoint.address().to_string();
    }
    for (;;) {
      if (stopping) break;
      beast::http::request_parser<beast::http::string_body> parser;
      parser.body_limit(options.max_body_bytes);
      parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
      conn->stream.expires_after(buffer.size() > 0 ? options.read_timeout : options.idle_timeout);
      auto [ec, bytes] = co_await beast::http::async_read(conn->stream, buffer, parser,
                                                          asio::as_tuple(asio::use_awaitable));
      (void)bytes;
      if (ec) {
        HttpResponse res;
        if (ec == beast::http::error::body_limit) {
          metrics.count_rejected("body_too_large");
          std::string_view id;
          if (auto it = parser.get().find("X-Request-ID"); it != parser.get().end()) id = it->value();
          res = early_problem(Error(ErrorCode::kPayloadTooLarge,
                                    "the request body exceeds " + std::to_string(options.max_body_bytes) +
                                        " bytes"),
                              id, false);
        } else if (ec == beast::http::error::header_limit) {
          metrics.count_rejected("header_too_large");
          res = early_problem(Error::BadRequest("the request headers are too large"), {}, false);
        } else if (ec == beast::http::error::end_of_stream || ec == asio::error::operation_aborted ||
                   ec == beast::error::timeout || ec == asio::error::connection_reset ||
                   ec == asio::error::eof) {
          break;
        } else {
          metrics.count_rejected("malformed");
          res = early_problem(Error::BadRequest("malformed HTTP request: " + ec.message()), {}, false);
        }
        conn->stream.expires_after(options.write_timeout);
        co_await beast::http::async_write(conn->stream, res, asio::as_tuple(asio::use_awaitable));
        break;
      }

      conn->busy = true;
      auto exchange = std::make_shared<Exchange>();
      exchange->request = parser.release();
      exchange->client_ip = client_ip;
      exchange->started = std::chrono::steady_clock::now();
      const bool keep_alive = exchange->request.keep_alive();
      HttpResponse res;
      if (pipeline.route(*exchange)) {
        res = pipeline.handle(*exchange);
      } else if (queued.fetch_add(1) >= options.max_queued_requests) {
        queued.fetch_sub(1);
        metrics.count_rejected("queue_full");
        std::string_view id;
        if (auto it = exchange->request.find("X-Request-ID"); it != exchange->request.end()) id = it->value();
        res = early_problem(Error::Unavailable("the server is busy; retry shortly"), id, keep_alive);
        res.set(beast::http::field::retry_after, "1");
      } else {
        // A named coroutine (not a capturing lambda: GCC 12 mis-destroys lambda captures in
        // coroutines), its awaitable held in a variable rather than a temporary of the co_await.
        auto on_worker = asio::co_spawn(workers.get_executor(), handle_on_worker(exchange), asio::use_awaitable);
        res = co_await std::move(on_worker);
      }
      const bool keep = keep_alive && !stopping;
      res.keep_alive(keep);
      conn->stream.expires_after(options.write_timeout);
      auto [wec, written] = co_await beast::http::async_write(conn->stream, res, asio::as_tuple(asio::use_awaitable));
      (void)written;
      conn->busy = false;
      if (wec || !keep) break;
    }
    beast::error_code ignored;
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  void begin_stop() {
    if (stopping.exchange(true)) return;
    obs::log_info("shutting down: no new connections; finishing in-flight requests");
    beast::error_code ignored;
    acceptor.close(ignored);
    signals.cancel(ignored);
    close_idle();
    drain_timer.expires_after(std::chrono::milliseconds(50));
    drain_timer.async_wait([this](beast::error_code) { drain(std::chrono::steady_clock::now() + options.shutdown_grace); });
  }

  void close_idle() {
    std::lock_guard lock(connections_mu);
    for (const auto& conn : connections) {
      asio::post(conn->stream.get_executor(), [conn] {
        if (!conn->busy && !conn->done) conn->stream.cancel();
      });
    }
  }

  void drain(std::chrono::steady_clock::time_point deadline) {
    std::size_t remaining;
    {
      std::lock_guard lock(connections_mu);
      remaining = connections.size();
    }
    if (remaining == 0 || std::chrono::steady_clock::now() >= deadline) {
      if (remaining != 0) obs::log_warn("grace period over; closing remaining connections", {{"connections", remaining}});
      std::lock_guard lock(connections_mu);
      for (const auto& conn : connections) {
        asio::post(conn->stream.get_executor(), [conn] { conn->stream.close(); });
      }
      return;  // with the acceptor, timers and connections gone, ioc.run() returns
    }
    close_idle();  // connections that finished a request since the last look
    drain_timer.expires_after(std::chrono::milliseconds(50));
    drain_timer.async_wait([this, deadline](beast::error_code) { drain(deadline); });
  }
};

Server::Server(ServerOptions options, Pipeline& pipeline, obs::Metrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(options), pipeline, metrics)) {}

Server::~Server() {
  impl_->workers.join();
}

Status Server::start() {
  beast::error_code ec;
  auto address = asio::ip::make_address(impl_->options.host, ec);
  if (ec) return Error::Validation("HOST", "not an IP address: " + impl_->options.host);
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Error::Unavailable("cannot listen on " + impl_->options.host + ":" +
                              std::to_string(impl_->options.port) + ": " + ec.message());
  }
  bound_port_ = acceptor.local_endpoint().port();
  asio::co_spawn(impl_->ioc, impl_->listen(), asio::detached);
  return OkStatus();
}

void Server::handle_signals() {
  impl_->signals.add(SIGINT);
  impl_->signals.add(SIGTERM);
  impl_->signals.async_wait([this](beast::error_code ec, int signal) {
    if (ec) return;
    obs::log_info("signal received", {{"signal", signal}});
    impl_->begin_stop();
  });
}

void Server::run() {
  std::vector<std::thread> extra;
  for (int i = 1; i < impl_->options.io_threads; ++i) extra.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : extra) t.join();
  impl_->workers.join();
}

void Server::stop() {
  asio::post(impl_->ioc, [this] { impl_->begin_stop(); });
}

}  // namespace oeuvre::http
