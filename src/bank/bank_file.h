#pragma once
// The one entry to bank statement files: which format a file is, by its content, and its parse
// through that format's parser. Uploads (ingest::FileParser), the upload's statement check and
// `oeuvre reconcile` all come through here. Thread-safety: pure functions of their input.

#include <optional>
#include <string>
#include <string_view>

#include "bank/statement.h"
#include "core/result.h"
#include "csv/byte_source.h"

namespace oeuvre::bank {

// How many bytes of a file's start decide its format.
inline constexpr std::size_t kSniffBytes = 64 * 1024;

// The bank format of a file starting with `head` (its first kSniffBytes bytes, or all of a smaller
// file), or nullopt when it is none of them (a CSV or JSON table, or anything else).
std::optional<BankFormat> detect_bank_format(std::string_view head);

// detect_bank_format on the file at `path`. Fails (kNotFound/kBadRequest) when it cannot be read.
Result<std::optional<BankFormat>> detect_bank_file(const std::string& path);

// Parses `source` as `format`, delivering to `sink`. Fails (kValidation, field "file") as the
// format's parser does: the file is not that format, or is broken beyond one transaction.
Status parse_bank_statement(BankFormat format, csv::ByteSource& source, StatementSink& sink);

// parse_bank_statement on the file at `path`.
Status parse_bank_file(BankFormat format, const std::string& path, StatementSink& sink);

}  // namespace oeuvre::bank
