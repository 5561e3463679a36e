// libFuzzer target for ingest::FileParser and preview_file(): any bytes, as any upload, must give a
// clean success or a clean error -- never a crash, a sanitizer report, or broken promises:
//  - read_records() yields exactly rows - rows_failed records, in line order;
//  - every kept error and every record text is valid UTF-8, error values are at most 200 bytes;
//  - extra_json is a JSON object whose values are strings.
// The first input byte picks the settings and the file name; the rest is the file. Built outside
// CMake by scripts/fuzz.sh (clang, -fsanitize=fuzzer,address,undefined).
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/utf8.h"
#include "ingest/file_parser.h"

namespace {

using oeuvre::ingest::DateOrder;
using oeuvre::ingest::DecimalSeparator;
using oeuvre::ingest::ParsedRecord;
using oeuvre::ingest::ParseSettings;

void check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "broken promise: %s\n", what);
    std::abort();
  }
}

bool utf8(const std::string& s) { return oeuvre::is_valid_utf8(s); }

void check_errors(const std::vector<oeuvre::ingest::RowError>& errors) {
  for (const auto& e : errors) {
    check(utf8(e.column) && utf8(e.value) && utf8(e.reason), "row error is UTF-8");
    check(e.value.size() <= 200, "row error value is cut to 200 bytes");
    check(!e.reason.empty(), "row error has a reason");
  }
}

void check_record(const ParsedRecord& r) {
  check(utf8(r.external_id) && utf8(r.description) && utf8(r.reference) && utf8(r.counterparty),
        "record texts are UTF-8");
  check(r.currency.size() == 3, "currency is three letters");
  check(r.amount_minor <= oeuvre::ingest::kMaxAmountMinor &&
            r.amount_minor >= -oeuvre::ingest::kMaxAmountMinor,
        "amount is bounded");
  boost::system::error_code ec;
  boost::json::value extra = boost::json::parse(r.extra_json, ec);
  check(!ec && extra.is_object(), "extra_json is a JSON object");
  for (const auto& [key, value] : extra.as_object())
    check(value.is_string(), "extra values are strings");
}

ParseSettings settings_for(std::uint8_t flags) {
  ParseSettings s;
  if (flags & 1) s.mapping.default_currency = "EUR";
  switch ((flags >> 1) & 3) {
    case 1:
      s.mapping.date_format = oeuvre::ingest::DateFormat::kDayFirst;
      break;
    case 2:
      s.mapping.date_format = oeuvre::ingest::DateFormat::kMonthFirst;
      break;
    case 3:
      s.mapping.date_format = oeuvre::ingest::DateFormat::kIso;
      break;
    default:
      break;
  }
  if (flags & 8)
    s.mapping.decimal_separator = (flags & 16) ? DecimalSeparator::kComma : DecimalSeparator::kDot;
  if (flags & 32) s.mapping.columns.amount = "amount";
  s.max_errors_kept = 8;
  s.max_records = 100'000;
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const std::string path = "/tmp/oeuvre-file-parser-fuzz-" + std::to_string(::getpid());
  const std::uint8_t flags = data[0];
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return 0;
    if (size > 1) std::fwrite(data + 1, 1, size - 1, f);
    std::fclose(f);
  }
  const std::string name = (flags & 64) ? "upload.json" : "upload.csv";
  const ParseSettings settings = settings_for(flags);

  auto parser = oeuvre::ingest::FileParser::open(path, name, "", settings);
  if (parser.ok()) {
    auto layout = (*parser)->analyse([](double f) { check(f >= 0 && f <= 1, "progress in 0..1"); });
    if (layout.ok()) {
      check(layout->rows_failed <= layout->rows, "rows_failed <= rows");
      check_errors((*parser)->errors());
      check((*parser)->errors().size() <= settings.max_errors_kept, "errors are bounded");
      check(((*parser)->errors().empty()) == (layout->rows_failed == 0), "failed rows have errors");
      std::uint64_t yielded = 0, last_line = 0;
      const std::size_t batch = 1 + (flags >> 7) * 2;
      auto read = (*parser)->read_records(batch, [&](std::span<const ParsedRecord> records) {
        check(!records.empty() && records.size() <= batch, "batch size");
        for (const ParsedRecord& r : records) {
          check(r.line >= last_line, "records in line order");
          last_line = r.line;
          check_record(r);
        }
        yielded += records.size();
        return oeuvre::OkStatus();
      });
      check(read.ok(), "read_records succeeds after analyse");
      check(yielded == layout->rows - layout->rows_failed, "read_records yields the good rows");
    }
  }
  auto preview = oeuvre::ingest::preview_file(path, name, "", settings, 5);
  if (preview.ok()) {
    check(preview->rows.size() <= 5, "preview is bounded");
    for (const auto& row : preview->rows) {
      check(row.record.has_value() != !row.errors.empty(), "a preview row has a record or errors");
      check(row.cells.size() == preview->layout.header.size(), "cells follow the header");
      for (const auto& c : row.cells) check(utf8(c), "cells are UTF-8");
      if (row.record) check_record(*row.record);
      check_errors(row.errors);
    }
  }
  return 0;
}
