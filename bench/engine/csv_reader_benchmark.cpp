// Google Benchmark of the CSV reader's throughput (bytes per second) on bank-like data: mostly
// plain fields, some quoted ones with commas and doubled quotes. Also a plain-ASCII case without
// quotes.
#include <benchmark/benchmark.h>

#include <random>
#include <string>

#include "csv/csv_reader.h"

namespace {

std::string make_csv(std::size_t rows, bool with_quotes) {
  std::mt19937 rng(1);
  std::string out =
      "Transaction ID,Booking Date,Description,Counterparty,Reference,Money Out,Money In\n";
  for (std::size_t i = 0; i < rows; ++i) {
    out += "B" + std::to_string(i) + ",0" + std::to_string(1 + rng() % 9) + "/03/2025,";
    if (with_quotes && i % 4 == 0) {
      out += "\"SEPA CREDIT, \"\"ACME\"\" CORP\",";
    } else {
      out +=
          "SEPA CREDIT TRANSFER NORTHWIND TRADING REF INV2025100" + std::to_string(i % 1000) + ",";
    }
    out += "NORTHWIND TRADING,INV-2025-" + std::to_string(100000 + i) + ",," +
           std::to_string(rng() % 100000) + "." + std::to_string(10 + rng() % 90) + "\n";
  }
  return out;
}

void read_everything(benchmark::State& state, const std::string& data) {
  for (auto _ : state) {
    auto reader =
        oeuvre::csv::CsvReader::open(std::make_unique<oeuvre::csv::MemoryByteSource>(data));
    oeuvre::csv::CsvRow row;
    std::size_t fields = 0;
    while (*(*reader)->next(row)) fields += row.size();
    benchmark::DoNotOptimize(fields);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(data.size()));
}

void BM_CsvReaderBankLike(benchmark::State& state) {
  static const std::string data = make_csv(200000, true);
  read_everything(state, data);
}

void BM_CsvReaderUnquoted(benchmark::State& state) {
  static const std::string data = make_csv(200000, false);
  read_everything(state, data);
}

BENCHMARK(BM_CsvReaderBankLike)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CsvReaderUnquoted)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
