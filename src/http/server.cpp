#include "http/server.h"

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <list>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "http/problem.h"
#include "http/request_head.h"
#include "http/upload.h"
#include "observability/log.h"

namespace oeuvre::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

// An upload is read in pieces of this size; each is written and hashed on a worker thread while the
// kernel keeps receiving.
constexpr std::size_t kUploadChunkBytes = 256 * 1024;
// How long a connection that is being closed with a refusal still takes (and drops) what the client
// sends.
constexpr std::chrono::seconds kLingerTime{2};
// Connections refused at a limit are logged at most once in this long (and always counted).
constexpr std::chrono::seconds kRefusalLogInterval{10};
// At a stop, streamed responses still going this long before the grace period ends (at most a
// quarter of it) end at their next record boundary, so none is closed in the middle of one.
constexpr std::chrono::milliseconds kStreamCutMargin{1000};

// One connection. Lives in a shared_ptr so shutdown can reach idle ones.
struct Connection {
  Connection(tcp::socket socket, std::string address) : stream(std::move(socket)), client_ip(std::move(address)) {}
  beast::tcp_stream stream;
  const std::string client_ip;  // "" when the peer's address could not be read
  bool busy = false;  // only touched on the connection's strand
  bool done = false;
};

template <class Socket>
std::string peer_address(const Socket& socket) {
  beast::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  return ec ? std::string() : endpoint.address().to_string();
}

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
  // Set when the grace period is about to end: streamed responses end at their next boundary.
  std::atomic<bool> cutting_streams{false};
  std::atomic<std::size_t> queued{0};
  std::mutex connections_mu;
  std::list<std::shared_ptr<Connection>> connections;                 // guarded by connections_mu
  std::unordered_map<std::string, std::size_t> connections_per_address;  // guarded by connections_mu
  // Refusals at a connection limit since the last log line, and when that was; only touched by
  // listen() (one coroutine).
  std::size_t refusals_unlogged = 0;
  std::chrono::steady_clock::time_point refusals_logged_at{};

  asio::awaitable<void> listen() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(ioc), asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        obs::log_warn("accept failed", {{"error", ec.message()}});
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      std::string address = peer_address(socket);
      auto conn = std::make_shared<Connection>(std::move(socket), std::move(address));
      std::list<std::shared_ptr<Connection>>::iterator it;
      const char* refusal = nullptr;
      {
        std::lock_guard lock(connections_mu);
        refusal = connection_limit_reached(conn->client_ip);
        if (refusal == nullptr) {
          connections.push_front(conn);
          ++connections_per_address[conn->client_ip];
          it = connections.begin();
        }
      }
      if (refusal != nullptr) {
        refuse_connection(conn->stream.socket(), refusal);
        continue;
      }
      auto executor = conn->stream.get_executor();
      asio::co_spawn(executor, serve(conn), [this, it](std::exception_ptr) {
        std::lock_guard lock(connections_mu);
        (*it)->done = true;
        if (--connections_per_address[(*it)->client_ip] == 0) connections_per_address.erase((*it)->client_ip);
        connections.erase(it);
      });
    }
  }

  // The metrics reason when one more connection from `address` is over a limit, else nullptr.
  // REQUIRES: connections_mu held.
  const char* connection_limit_reached(const std::string& address) const {
    if (connections.size() >= options.max_connections) return "connection_limit";
    auto it = connections_per_address.find(address);
    if (it != connections_per_address.end() && it->second >= options.max_connections_per_address) {
      return "connection_limit_per_ip";
    }
    return nullptr;
  }

  // Answers a connection over a limit 503 and closes it, without a coroutine or a timer: the answer
  // is one write that a fresh connection's send buffer takes whole (when it cannot, the client sees
  // the connection close). Counted always, logged once per kRefusalLogInterval.
  void refuse_connection(tcp::socket& socket, const char* reason) {
    HttpResponse res = rejected(reason, Error::Unavailable("too many connections; retry shortly"), {});
    res.set(beast::http::field::retry_after, "1");
    std::ostringstream text;
    text << res;
    beast::error_code ec;
    socket.non_blocking(true, ec);
    if (!ec) socket.write_some(asio::buffer(text.str()), ec);
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
    ++refusals_unlogged;
    const auto now = std::chrono::steady_clock::now();
    if (now - refusals_logged_at < kRefusalLogInterval) return;
    obs::log_warn("connections refused at a limit",
                  {{"refused", refusals_unlogged},
                   {"reason", reason},
                   {"max_connections", options.max_connections},
                   {"max_connections_per_ip", options.max_connections_per_address}});
    refusals_unlogged = 0;
    refusals_logged_at = now;
  }

  // Waits up to the idle timeout for the first bytes of a kept-alive connection's next request. False
  // when none came (timeout, the client closed, or the server is stopping).
  asio::awaitable<bool> await_next_request(Connection& conn, beast::flat_buffer& buffer) {
    conn.stream.expires_after(options.idle_timeout);
    auto [ec, n] = co_await conn.stream.async_read_some(buffer.prepare(4096), asio::as_tuple(asio::use_awaitable));
    buffer.commit(n);
    co_return !ec;
  }

  // Runs the middleware chain and handler; spawned onto the worker pool.
  asio::awaitable<HttpResponse> handle_on_worker(std::shared_ptr<Exchange> exchange) {
    queued.fetch_sub(1);
    co_return pipeline.handle(*exchange);
  }

  // An upload's admission: either the refusal to answer at once, or where its body goes.
  struct UploadAdmission {
    std::optional<HttpResponse> refusal;
    std::shared_ptr<UploadReceiver> receiver;
  };

  // Opens the temporary file, then runs the chain's admission step (Pipeline::admit) with it as
  // Exchange::upload, so that the route's admission may start work that follows the body
  // (UploadReceiver::follow); spawned onto the worker pool (both touch the store or the disk). A
  // refused upload's file is removed at once.
  asio::awaitable<UploadAdmission> admit_on_worker(std::shared_ptr<Exchange> exchange,
                                                   std::string incoming_id) {
    queued.fetch_sub(1);
    UploadAdmission admission;
    auto receiver =
        UploadReceiver::open(options.upload_dir, exchange->header(beast_http::field::content_type),
                             options.max_upload_bytes);
    if (!receiver.ok()) {
      // The chain still decides first: an unauthenticated or unknown upload is refused as such.
      admission.refusal = pipeline.admit(*exchange);
      if (!admission.refusal) admission.refusal = rejected("bad_upload", receiver.error(), incoming_id);
      co_return admission;
    }
    exchange->upload = std::move(receiver).value();
    admission.refusal = pipeline.admit(*exchange);
    if (admission.refusal) {
      exchange->upload.reset();
      co_return admission;
    }
    admission.receiver = exchange->upload;
    co_return admission;
  }

  // Stores one piece of an upload (the disk write and the SHA-256); spawned onto the worker pool.
  // REQUIRES: `piece` stays valid until the returned awaitable completes.
  static asio::awaitable<Status> write_on_worker(std::shared_ptr<UploadReceiver> receiver,
                                                 std::string_view piece) {
    try {
      co_return receiver->write(piece);
    } catch (const std::exception& e) {
      co_return Error::Internal(std::string("storing the upload failed: ") + e.what());
    }
  }

  struct StreamStep {
    Result<ResponseStream::Step> step = ResponseStream::Step::kDone;
  };

  // One piece of a streamed body; spawned onto the worker pool.
  static asio::awaitable<StreamStep> next_on_worker(std::shared_ptr<ResponseStream> stream, std::string* out) {
    StreamStep result;
    try {
      result.step = stream->next(*out);
    } catch (const std::exception& e) {
      result.step = Error::Internal(std::string("streamed response failed: ") + e.what());
    }
    co_return result;
  }

  // Sends `res`'s headers, then the stream's pieces as chunks. False when the connection must close
  // (the stream failed, the peer went away, or the grace period of a stop ran out mid-stream). A
  // stop lets a stream that produces (an export) go on within the grace period; one that waits for
  // news (events) ends complete at its next wait. Each piece is whole records, so a stream cut at
  // the end of the grace period ends at a record boundary, without its last chunk (visibly
  // incomplete), and the cut is logged.
  asio::awaitable<bool> write_streamed(Connection& conn, HttpResponse& res, std::shared_ptr<ResponseStream> stream) {
    res.chunked(true);
    res.body().clear();
    beast::http::response_serializer<beast::http::string_body> serializer(res);
    conn.stream.expires_after(options.write_timeout);
    auto [hec, hn] = co_await beast::http::async_write_header(conn.stream, serializer,
                                                              asio::as_tuple(asio::use_awaitable));
    (void)hn;
    if (hec) co_return false;
    std::string piece;
    asio::steady_timer pause(conn.stream.get_executor());
    std::uint64_t bytes = 0;
    for (;;) {
      if (cutting_streams) {
        obs::log_warn("streamed response cut at shutdown: the grace period ended before it did",
                      {{"bytes_sent", bytes}});
        co_return false;
      }
      piece.clear();
      auto on_worker = asio::co_spawn(workers.get_executor(), next_on_worker(stream, &piece), asio::use_awaitable);
      StreamStep step = co_await std::move(on_worker);
      if (!step.step.ok()) {
        obs::log_warn("streamed response ended early", {{"error", step.step.error().message()}});
        co_return false;
      }
      if (!piece.empty()) {
        conn.stream.expires_after(options.write_timeout);
        auto [wec, wn] = co_await asio::async_write(conn.stream, beast::http::make_chunk(asio::buffer(piece)),
                                                    asio::as_tuple(asio::use_awaitable));
        (void)wn;
        if (wec) co_return false;
        bytes += piece.size();
      }
      if (*step.step == ResponseStream::Step::kDone) break;
      if (*step.step == ResponseStream::Step::kWait) {
        if (stopping) break;  // news will not come before the stop: the client reconnects
        conn.stream.expires_never();
        pause.expires_after(stream->wait_interval());
        auto [tec] = co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
        (void)tec;
      }
    }
    conn.stream.expires_after(options.write_timeout);
    auto [lec, ln] = co_await asio::async_write(conn.stream, beast::http::make_chunk_last(),
                                                asio::as_tuple(asio::use_awaitable));
    (void)ln;
    co_return !lec;
  }

  static bool is_disconnect(const beast::error_code& ec) {
    return ec == beast::http::error::end_of_stream || ec == asio::error::operation_aborted ||
           ec == beast::error::timeout || ec == asio::error::connection_reset || ec == asio::error::eof ||
           ec == beast::http::error::partial_message;
  }

  // A problem answered before any handler ran; the connection closes after it.
  HttpResponse rejected(const std::string& reason, const Error& error, std::string_view incoming_id) {
    metrics.count_rejected(reason);
    return early_problem(error, incoming_id, false);
  }

  // Answers, then ends the connection. The client may still be sending a body that will not be
  // read; closing on unread bytes resets the connection, which can destroy the answer before the
  // client read it. So the sending side is shut first, and whatever still arrives is read and
  // dropped for a while.
  asio::awaitable<void> write_and_close(Connection& conn, HttpResponse& res) {
    res.keep_alive(false);
    conn.stream.expires_after(options.write_timeout);
    auto [ec, n] =
        co_await beast::http::async_write(conn.stream, res, asio::as_tuple(asio::use_awaitable));
    (void)n;
    if (ec) co_return;
    conn.stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    conn.busy = false;  // a graceful stop need not wait for this
    conn.stream.expires_after(kLingerTime);
    std::vector<char> dropped(16 * 1024);
    for (;;) {
      auto [rec, rn] = co_await conn.stream.async_read_some(asio::buffer(dropped),
                                                            asio::as_tuple(asio::use_awaitable));
      (void)rn;
      if (rec) break;
    }
  }

  HttpResponse early_problem(const Error& error, std::string_view incoming_id, bool keep_alive) {
    const std::string request_id = choose_request_id(incoming_id);
    HttpResponse res = problem_response(error, request_id);
    res.set("X-Request-ID", request_id);
    add_security_headers(res);
    res.keep_alive(keep_alive);
    return res;
  }

  asio::awaitable<void> serve(std::shared_ptr<Connection> conn) {
    beast::flat_buffer buffer;
    for (bool first_request = true;; first_request = false) {
      if (stopping) break;
      if (!first_request && buffer.size() == 0 && !co_await await_next_request(*conn, buffer)) break;
      // The header first: the route decides how the body is read (in memory, or streamed to a file).
      beast::http::request_parser<beast::http::empty_body> header_parser;
      header_parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
      // The route's own limit is checked once the route is known (below); this one only bounds both.
      header_parser.body_limit(std::max<std::uint64_t>(options.max_body_bytes, options.max_upload_bytes));
      conn->stream.expires_after(options.read_timeout);
      auto [hec, hbytes] = co_await beast::http::async_read_header(conn->stream, buffer, header_parser,
                                                                   asio::as_tuple(asio::use_awaitable));
      (void)hbytes;
      if (hec) {
        if (is_disconnect(hec)) break;
        HttpResponse res = hec == beast::http::error::header_limit
                               ? rejected("header_too_large", Error::BadRequest("the request headers are too large"), {})
                               : rejected("malformed", Error::BadRequest("malformed HTTP request: " + hec.message()), {});
        co_await write_and_close(*conn, res);
        break;
      }

      conn->busy = true;
      std::string incoming_id;
      if (auto it = header_parser.get().find("X-Request-ID"); it != header_parser.get().end()) incoming_id = it->value();
      if (Status head = check_request_head(header_parser); !head.ok()) {
        const bool unsupported = head.error().code() == ErrorCode::kNotImplemented;
        HttpResponse res = rejected(unsupported ? "transfer_coding" : "bad_request_head", head.error(), incoming_id);
        co_await write_and_close(*conn, res);
        break;
      }
      auto exchange = std::make_shared<Exchange>();
      exchange->request = HttpRequest(header_parser.get().base());
      exchange->client_ip = conn->client_ip;
      exchange->started = std::chrono::steady_clock::now();
      const RunsOn runs_on = pipeline.route(*exchange);
      const bool streams = exchange->route != nullptr && exchange->route->streams_body;
      const std::uint64_t body_limit = streams ? options.max_upload_bytes : options.max_body_bytes;
      conn->stream.expires_after(options.read_timeout);
      if (auto length = header_parser.content_length(); length && *length > body_limit) {
        HttpResponse res = rejected(
            "body_too_large",
            Error(ErrorCode::kPayloadTooLarge, std::string(streams ? "the upload" : "the request body") +
                                                   " exceeds " + std::to_string(body_limit) + " bytes"),
            incoming_id);
        co_await write_and_close(*conn, res);
        break;
      }

      if (streams) {
        // Nothing of the body is read before the token and the route's own check accepted it.
        UploadAdmission admission;
        if (queued.fetch_add(1) >= options.max_queued_requests) {
          queued.fetch_sub(1);
          admission.refusal = rejected(
              "queue_full", Error::Unavailable("the server is busy; retry shortly"), incoming_id);
          admission.refusal->set(beast::http::field::retry_after, "1");
        } else {
          auto on_worker = asio::co_spawn(
              workers.get_executor(), admit_on_worker(exchange, incoming_id), asio::use_awaitable);
          admission = co_await std::move(on_worker);
        }
        if (admission.refusal) {
          co_await write_and_close(*conn, *admission.refusal);
          break;
        }
        if (beast::iequals(exchange->header(beast_http::field::expect), "100-continue")) {
          beast::http::response<beast::http::empty_body> go_on{beast::http::status::continue_, 11};
          auto [cec, cn] = co_await beast::http::async_write(conn->stream, go_on, asio::as_tuple(asio::use_awaitable));
          (void)cn;
          if (cec) break;
        }
        beast::http::request_parser<beast::http::buffer_body> body_parser{std::move(header_parser)};
        body_parser.body_limit(options.max_upload_bytes);
        std::optional<Error> failure;
        std::vector<char> chunk(kUploadChunkBytes);
        while (!body_parser.is_done()) {
          body_parser.get().body().data = chunk.data();
          body_parser.get().body().size = chunk.size();
          auto [bec, bn] = co_await beast::http::async_read(conn->stream, buffer, body_parser,
                                                            asio::as_tuple(asio::use_awaitable));
          (void)bn;
          if (bec == beast::http::error::need_buffer) bec = {};
          if (bec) {
            if (bec == beast::http::error::body_limit) {
              failure = Error(ErrorCode::kPayloadTooLarge,
                              "the upload exceeds " + std::to_string(options.max_upload_bytes) + " bytes");
            } else if (!is_disconnect(bec)) {
              failure = Error::BadRequest("malformed HTTP request body: " + bec.message());
            }
            break;
          }
          const std::size_t got = chunk.size() - body_parser.get().body().size;
          if (got == 0) continue;
          auto on_worker = asio::co_spawn(
              workers.get_executor(),
              write_on_worker(admission.receiver, std::string_view(chunk.data(), got)),
              asio::use_awaitable);
          if (Status written = co_await std::move(on_worker); !written.ok()) {
            failure = written.error();
            break;
          }
        }
        if (failure) {
          HttpResponse res = rejected(failure->code() == ErrorCode::kPayloadTooLarge ? "body_too_large" : "bad_upload",
                                      *failure, incoming_id);
          co_await write_and_close(*conn, res);
          break;
        }
        if (!body_parser.is_done()) break;  // the client went away mid-body
        exchange->upload = std::move(admission.receiver);
      } else {
        beast::http::request_parser<beast::http::string_body> body_parser{std::move(header_parser)};
        body_parser.body_limit(options.max_body_bytes);
        auto [bec, bn] = co_await beast::http::async_read(conn->stream, buffer, body_parser,
                                                          asio::as_tuple(asio::use_awaitable));
        (void)bn;
        if (bec) {
          if (is_disconnect(bec)) break;
          HttpResponse res =
              bec == beast::http::error::body_limit
                  ? rejected("body_too_large",
                             Error(ErrorCode::kPayloadTooLarge,
                                   "the request body exceeds " + std::to_string(options.max_body_bytes) + " bytes"),
                             incoming_id)
                  : rejected("malformed", Error::BadRequest("malformed HTTP request: " + bec.message()), incoming_id);
          co_await write_and_close(*conn, res);
          break;
        }
        exchange->request.body() = std::move(body_parser.get().body());
      }
      const bool keep_alive = exchange->request.keep_alive();
      HttpResponse res;
      std::optional<HttpResponse> answered;
      if (runs_on == RunsOn::kIoThreadFirst && options.io_thread_first) {
        answered = pipeline.handle_without_waiting(*exchange);
        metrics.count_io_thread_attempt(answered.has_value());
      }
      if (answered) {
        res = std::move(*answered);
      } else if (runs_on == RunsOn::kIoThread) {
        res = pipeline.handle(*exchange);
      } else if (queued.fetch_add(1) >= options.max_queued_requests) {
        queued.fetch_sub(1);
        metrics.count_rejected("queue_full");
        res = early_problem(Error::Unavailable("the server is busy; retry shortly"), incoming_id, keep_alive);
        res.set(beast::http::field::retry_after, "1");
      } else {
        // A named coroutine (not a capturing lambda: GCC 12 mis-destroys lambda captures in
        // coroutines), its awaitable held in a variable rather than a temporary of the co_await.
        auto on_worker = asio::co_spawn(workers.get_executor(), handle_on_worker(exchange), asio::use_awaitable);
        res = co_await std::move(on_worker);
      }
      const bool keep = keep_alive && !stopping;
      res.keep_alive(keep);
      if (exchange->response_stream && res.result() == beast::http::status::ok) {
        const bool intact = co_await write_streamed(*conn, res, std::move(exchange->response_stream));
        conn->busy = false;
        if (!intact || !keep) break;
        continue;
      }
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
    const auto now = std::chrono::steady_clock::now();
    const auto cut_margin = std::min<std::chrono::steady_clock::duration>(
        kStreamCutMargin, options.shutdown_grace / 4);
    if (remaining != 0 && now >= deadline - cut_margin && !cutting_streams.exchange(true)) {
      obs::log_warn("grace period ending; streamed responses end at their next record",
                    {{"connections", remaining}});
    }
    if (remaining == 0 || now >= deadline) {
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
