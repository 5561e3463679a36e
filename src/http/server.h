#pragma once
// The HTTP/1.1 server: Boost.Beast on Asio with C++20 coroutines. I/O threads only parse, route and
// write; handlers run on a bounded worker pool that the connection coroutine awaits, so one slow
// query cannot stall other connections. An upload is admitted there (token and route check,
// Pipeline::admit) before any byte of its body is read, and its body is written to disk and hashed
// there. Connection limits, keep-alive, body and header size limits, timeouts, the checks of a
// request's head (request_head.h), and a graceful stop (stop accepting, close idle connections, let
// in-flight requests and streamed responses finish within a grace period; a stream still going near
// its end stops at a record boundary, see ResponseStream).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/result.h"
#include "http/pipeline.h"

namespace oeuvre::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port
  int io_threads = 1;
  int worker_threads = 8;
  // Routes marked RunsOn::kIoThreadFirst are tried on the I/O thread first; false: always on a
  // worker (with the cache off every attempt would be handed over).
  bool io_thread_first = true;
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 << 10;
  std::size_t max_queued_requests = 1024;
  // Upload routes stream their body to a temporary file here, up to this size.
  std::string upload_dir = "./var/uploads/incoming";
  std::uint64_t max_upload_bytes = std::uint64_t{1} << 30;  // past this, 503 before any work is done
  // Connections open at once, in all and from one client address; one more is answered 503 and closed.
  std::size_t max_connections = 1000;
  std::size_t max_connections_per_address = 100;
  // A request's head from its first byte (a connection's first request: from the connection's start),
  // then its body.
  std::chrono::milliseconds read_timeout{30000};
  std::chrono::milliseconds idle_timeout{60000};   // keep-alive wait for the next request's first byte
  std::chrono::milliseconds write_timeout{30000};
  std::chrono::milliseconds shutdown_grace{30000};
};

// Thread-safety: start/run/stop may be called from different threads; stop is safe from any thread
// and from a signal handler context established by handle_signals().
class Server {
 public:
  Server(ServerOptions options, Pipeline& pipeline, obs::Metrics& metrics);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens. kUnavailable when the address is taken.
  Status start();
  // The bound port (after start).
  std::uint16_t port() const { return bound_port_; }
  // Stops gracefully on SIGINT/SIGTERM.
  void handle_signals();
  // Serves until stop() has drained every connection. REQUIRES: start() succeeded.
  void run();
  // Begins a graceful stop; run() returns once in-flight requests finish (or the grace period ends).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t bound_port_ = 0;
};

}  // namespace oeuvre::http
