#include "bank/bank_file.h"

#include "bank/bai2.h"
#include "bank/camt.h"
#include "bank/mt940.h"
#include "bank/ofx.h"

namespace oeuvre::bank {

std::optional<BankFormat> detect_bank_format(std::string_view head) {
  if (looks_like_camt(head)) return camt_format(head);
  if (looks_like_ofx(head)) return BankFormat::kOfx;
  if (looks_like_mt940(head)) return BankFormat::kMt940;
  if (looks_like_bai2(head)) return BankFormat::kBai2;
  return std::nullopt;
}

Result<std::optional<BankFormat>> detect_bank_file(const std::string& path) {
  ASSIGN_OR_RETURN(auto source, csv::FileByteSource::open(path));
  ASSIGN_OR_RETURN(const std::string head, csv::read_prefix(*source, kSniffBytes));
  return detect_bank_format(head);
}

Status parse_bank_statement(BankFormat format, csv::ByteSource& source, StatementSink& sink) {
  switch (format) {
    case BankFormat::kCamt052:
    case BankFormat::kCamt053:
    case BankFormat::kCamt054:
      return parse_camt(source, sink);
    case BankFormat::kMt940:
      return parse_mt940(source, sink);
    case BankFormat::kBai2:
      return parse_bai2(source, sink);
    case BankFormat::kOfx:
      return parse_ofx(source, sink);
  }
  return Error::Internal("unknown bank format");
}

Status parse_bank_file(BankFormat format, const std::string& path, StatementSink& sink) {
  ASSIGN_OR_RETURN(auto source, csv::FileByteSource::open(path));
  return parse_bank_statement(format, *source, sink);
}

}  // namespace oeuvre::bank
