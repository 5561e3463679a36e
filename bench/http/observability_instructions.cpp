// Instructions per request of the access log and the request metrics (issue 15): a count that does
// not move with the machine's load, unlike observability_benchmark's times. The two middlewares
// around a handler that answers at once, with the fields of a GET /health/live; lines go to stderr.
// Run it under callgrind with two counts and divide the difference of the totals by the difference
// of the counts (start-up cancels out):
//
//   b=build/release/bench/observability_instructions
//   for n in 20000 60000; do
//     valgrind --tool=callgrind --callgrind-out-file=cg.$n $b $n on 2>/dev/null
//   done
//   t() { awk '/^totals:/{print $2}' cg.$1; }
//   echo $(( ($(t 60000) - $(t 20000)) / 40000 ))
//
// Without "on": the handler alone.
#include <chrono>
#include <cstdlib>
#include <iostream>

#include "http/pipeline.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "routed_exchange.h"

namespace {

using namespace oeuvre;

http::HttpResponse answer(http::Exchange&) {
  http::HttpResponse res{http::beast_http::status::ok, 11};
  res.body() = R"({"status":"ok"})";
  return res;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: observability_instructions REQUESTS [on]\n";
    return 2;
  }
  const long requests = std::atol(argv[1]);
  const bool on = argc > 2 && std::string_view(argv[2]) == "on";
  obs::init_logging("info");
  obs::Metrics metrics;
  auto log = http::make_access_log_middleware();
  auto measured = http::make_metrics_middleware(metrics);
  http::Exchange ex = bench::routed_exchange("/health/live", "/health/live",
                                             "5f0c6e2a-9d7b-4c1e-8a3f-2b6d9c0e1a4b");
  const obs::LogContext context = ex.log_context();
  obs::LogScope scope(context);
  const http::Next inner = answer;
  const http::Next second = [&](http::Exchange& e) { return measured->handle(e, inner); };
  std::size_t bytes = 0;
  for (long i = 0; i < requests; ++i) {
    ex.started = std::chrono::steady_clock::now();
    ex.finished = {};  // each request reads the clock for its end, as in the server
    const http::HttpResponse res = on ? log->handle(ex, second) : inner(ex);
    bytes += res.body().size();
  }
  obs::flush_logs();
  return bytes == 0 ? 1 : 0;
}
