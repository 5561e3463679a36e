// Throughput of ingest::FileParser: generates a typical bank export (7 columns, some quoted
// descriptions with commas, day-first dates, signed amounts) of N rows into a temp file, then times
// open + analyse() and read_records() and prints rows/s and MB/s. A figure-printing program, not a
// test; run it through bench/ingest/run.sh (Release build).
//
// Usage: file_parser_bench [rows (default 1000000)] [csv|jsonl|reader (default csv)]
//        file_parser_bench file PATH   (an existing file of any format, e.g. bench/bank's camt.053)
//        file_parser_bench statements PATH   (a bank file read for its statements only)
//        file_parser_bench spool PATH        (a bank file read as the upload reads it: statements,
//                                             and every transaction into a spool in the temp dir;
//                                             then the spool played back alone)
// "reader" times csv::CsvReader alone (every field of every row visited, UTF-8 checked) over the
// generated CSV file: the reader's own throughput, without mapping and parsing values.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "bank/bank_file.h"
#include "bank/statement_summary.h"
#include "bank/transaction_spool.h"
#include "csv/csv_reader.h"
#include "ingest/file_parser.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string make_file(std::size_t rows, bool jsonl) {
  std::mt19937 rng(7);
  std::string out;
  out.reserve(rows * 110);
  if (!jsonl)
    out = "Transaction ID,Booking Date,Description,Counterparty,Reference,Amount,Currency\n";
  char date[16], amount[32];
  for (std::size_t i = 0; i < rows; ++i) {
    std::snprintf(date, sizeof date, "%02u/%02u/2025", 1 + static_cast<unsigned>(rng() % 28),
                  1 + static_cast<unsigned>(rng() % 12));
    const long cents = static_cast<long>(rng() % 2'000'000) - 1'000'000;
    std::snprintf(amount, sizeof amount, "%s%ld.%02ld", cents < 0 ? "-" : "",
                  std::labs(cents) / 100, std::labs(cents) % 100);
    const std::string id = "B" + std::to_string(1'000'000 + i);
    const std::string reference = "INV-2025-" + std::to_string(100000 + i % 50000);
    const bool quoted = i % 4 == 0;
    const std::string description =
        quoted ? "SEPA CREDIT, ACME \"\"NORTH\"\" LTD"
               : "CARD PAYMENT NORTHWIND TRADING " + std::to_string(i % 977);
    if (jsonl) {
      out += "{\"id\":\"" + id + "\",\"date\":\"" + date + "\",\"description\":\"" +
             (quoted ? std::string("SEPA CREDIT, ACME \\\"NORTH\\\" LTD") : description) +
             "\",\"counterparty\":\"Northwind Trading\",\"reference\":\"" + reference +
             "\",\"amount\":" + amount + ",\"currency\":\"EUR\"}\n";
    } else {
      out += id + "," + date + "," + (quoted ? "\"" + description + "\"" : description) +
             ",Northwind Trading," + reference + "," + amount + ",EUR\n";
    }
  }
  return out;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2 && (std::string(argv[1]) == "statements" || std::string(argv[1]) == "spool")) {
    const auto start = Clock::now();
    auto format = oeuvre::bank::detect_bank_file(argv[2]);
    if (!format.ok() || !*format) {
      std::fprintf(stderr, "not a bank statement file\n");
      return 1;
    }
    const std::string spool_path =
        (std::filesystem::temp_directory_path() /
         ("oeuvre-file-parser-bench-" + std::to_string(::getpid()) + ".txspool"))
            .string();
    std::unique_ptr<oeuvre::bank::TransactionSpoolWriter> spool;
    if (std::string(argv[1]) == "spool") {
      auto created = oeuvre::bank::TransactionSpoolWriter::create(spool_path, **format);
      if (!created.ok()) {
        std::fprintf(stderr, "spool: %s\n", created.error().message().c_str());
        return 1;
      }
      spool = std::move(created).value();
    }
    oeuvre::bank::SummarisingSink summary(spool.get());
    if (auto read = oeuvre::bank::parse_bank_file(**format, argv[2], summary); !read.ok()) {
      std::fprintf(stderr, "read: %s\n", read.error().message().c_str());
      return 1;
    }
    const double took = seconds_since(start);
    const double megabytes = static_cast<double>(std::filesystem::file_size(argv[2])) / 1e6;
    std::printf("statements of %s: %zu statements, %llu transactions, %.1f MB in %.3f s: %.1f MB/s\n",
                std::string(oeuvre::bank::format_name(**format)).c_str(), summary.statements().size(),
                static_cast<unsigned long long>(summary.transaction_count()), megabytes, took,
                megabytes / took);
    if (spool) {
      if (auto finished = spool->finish(); !finished.ok()) {
        std::fprintf(stderr, "spool: %s\n", finished.error().message().c_str());
        return 1;
      }
      const auto replay_start = Clock::now();
      oeuvre::bank::SummarisingSink replayed(nullptr);
      auto source = oeuvre::csv::FileByteSource::open(spool_path);
      const auto played = source.ok() ? oeuvre::bank::replay_transaction_spool(**source, **format, replayed)
                                      : oeuvre::Status(source.error());
      const double replay_took = seconds_since(replay_start);
      const double spool_megabytes = static_cast<double>(std::filesystem::file_size(spool_path)) / 1e6;
      std::filesystem::remove(spool_path);
      if (!played.ok()) {
        std::fprintf(stderr, "replay: %s\n", played.error().message().c_str());
        return 1;
      }
      std::printf("spool: %.1f MB, played back (%llu transactions) in %.3f s\n", spool_megabytes,
                  static_cast<unsigned long long>(replayed.transaction_count()), replay_took);
    }
    return 0;
  }
  const bool given = argc > 2 && std::string(argv[1]) == "file";
  std::size_t rows = !given && argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const bool jsonl = !given && argc > 2 && std::string(argv[2]) == "jsonl";
  const std::string path =
      given ? std::string(argv[2])
            : (std::filesystem::temp_directory_path() /
               ("oeuvre-file-parser-bench-" + std::to_string(::getpid()) + (jsonl ? ".jsonl" : ".csv")))
                  .string();
  if (!given) {
    const std::string data = make_file(rows, jsonl);
    std::ofstream(path, std::ios::binary)
        .write(data.data(), static_cast<std::streamsize>(data.size()));
  }
  const double megabytes = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
  if (argc > 2 && std::string(argv[2]) == "reader") {
    const auto start = Clock::now();
    auto source = oeuvre::csv::FileByteSource::open(path);
    if (!source.ok()) return 1;
    auto reader = oeuvre::csv::CsvReader::open(std::move(*source));
    if (!reader.ok()) return 1;
    oeuvre::csv::CsvRow row;
    std::uint64_t fields = 0, bytes = 0;
    for (;;) {
      auto more = (*reader)->next(row);
      if (!more.ok()) {
        std::fprintf(stderr, "read: %s\n", more.error().message().c_str());
        return 1;
      }
      if (!*more) break;
      fields += row.size();
      for (std::size_t i = 0; i < row.size(); ++i) bytes += row[i].size();
    }
    const double took = seconds_since(start);
    std::filesystem::remove(path);
    std::printf("csv reader: %zu rows, %.1f MB, %llu fields (%llu field bytes) in %.3f s: %.1f MB/s\n", rows,
                megabytes, static_cast<unsigned long long>(fields), static_cast<unsigned long long>(bytes), took,
                megabytes / took);
    return 0;
  }

  const auto start = Clock::now();
  auto parser = oeuvre::ingest::FileParser::open(path, path, "", {});
  if (!parser.ok()) {
    std::fprintf(stderr, "open: %s\n", parser.error().message().c_str());
    return 1;
  }
  auto layout = (*parser)->analyse();
  if (!layout.ok()) {
    std::fprintf(stderr, "analyse: %s\n", layout.error().message().c_str());
    return 1;
  }
  const double analyse_seconds = seconds_since(start);
  if (given) rows = layout->rows;
  const auto read_start = Clock::now();
  std::uint64_t records = 0;
  std::int64_t checksum = 0;
  auto read =
      (*parser)->read_records(20'000, [&](std::span<const oeuvre::ingest::ParsedRecord> batch) {
        records += batch.size();
        for (const auto& r : batch)
          checksum += r.amount_minor + static_cast<std::int64_t>(r.extra_json.size());
        return oeuvre::OkStatus();
      });
  if (!read.ok()) {
    std::fprintf(stderr, "read_records: %s\n", read.error().message().c_str());
    return 1;
  }
  const double read_seconds = seconds_since(read_start);
  const double total = analyse_seconds + read_seconds;
  if (!given) std::filesystem::remove(path);

  std::printf("format %s, %zu rows, %.1f MB, %llu good, %llu failed (checksum %lld)\n",
              given ? layout->format.c_str() : jsonl ? "jsonl" : "csv", rows, megabytes, static_cast<unsigned long long>(records),
              static_cast<unsigned long long>(layout->rows_failed),
              static_cast<long long>(checksum));
  std::printf("analyse       %6.3f s  %9.0f rows/s  %7.1f MB/s\n", analyse_seconds,
              static_cast<double>(rows) / analyse_seconds, megabytes / analyse_seconds);
  std::printf("read_records  %6.3f s  %9.0f rows/s  %7.1f MB/s\n", read_seconds,
              static_cast<double>(rows) / read_seconds, megabytes / read_seconds);
  std::printf("total         %6.3f s  %9.0f rows/s  %7.1f MB/s\n", total,
              static_cast<double>(rows) / total, megabytes / total);
  return 0;
}
