// What the access log and the request metrics cost per request, apart from the network and the
// rest of the server (issue 15): the two middlewares around a handler that answers at once, the way
// the pipeline runs them, against the same chain without them. Lines go to stderr: run it with
// `2>/dev/null` (or to a file), as bench/observability.sh does for the servers. bench/http/run.sh
// reports the difference next to the server's CPU time per request.
#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>

#include "http/pipeline.h"
#include "observability/log.h"
#include "observability/metrics.h"
#include "routed_exchange.h"

namespace {

using namespace oeuvre;

http::Exchange make_exchange() {
  return bench::routed_exchange("/api/v1/projects/0b7e8f4c-3f0e-4f0b-9a55-6d2f3f1b2c3d",
                                "/api/v1/projects/{id}", "5f0c6e2a9d7b4c1e8a3f2b6d9c0e1a4b");
}

http::HttpResponse answer(http::Exchange&) {
  http::HttpResponse res{http::beast_http::status::ok, 11};
  res.body() = R"({"id":"0b7e8f4c-3f0e-4f0b-9a55-6d2f3f1b2c3d","name":"Benchmark project"})";
  return res;
}

// The request as the pipeline sees it once routed: started now, in its log scope.
void run(benchmark::State& state, const std::vector<http::Middleware*>& chain) {
  http::Exchange ex = make_exchange();
  const obs::LogContext context = ex.log_context();
  obs::LogScope scope(context);
  const http::Next inner = answer;
  const http::Next second = [&](http::Exchange& e) { return chain.size() > 1 ? chain[1]->handle(e, inner) : inner(e); };
  for (auto _ : state) {
    ex.started = std::chrono::steady_clock::now();
    http::HttpResponse res = chain.empty() ? inner(ex) : chain[0]->handle(ex, second);
    benchmark::DoNotOptimize(res);
  }
}

void BM_Neither(benchmark::State& state) { run(state, {}); }

void BM_AccessLog(benchmark::State& state) {
  obs::init_logging("info");
  auto log = http::make_access_log_middleware();
  run(state, {log.get()});
}

void BM_Metrics(benchmark::State& state) {
  obs::Metrics metrics;
  auto measured = http::make_metrics_middleware(metrics);
  run(state, {measured.get()});
}

void BM_Both(benchmark::State& state) {
  obs::init_logging("info");
  obs::Metrics metrics;
  auto log = http::make_access_log_middleware();
  auto measured = http::make_metrics_middleware(metrics);
  run(state, {log.get(), measured.get()});
}

BENCHMARK(BM_Neither);
BENCHMARK(BM_AccessLog);
BENCHMARK(BM_Metrics);
BENCHMARK(BM_Both);

}  // namespace

BENCHMARK_MAIN();
