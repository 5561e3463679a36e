#pragma once
// FileParser for bank statement files (camt.052/053/054, MT940, BAI2, OFX; src/bank): each
// transaction becomes a record -- booking date (else value date), exact signed amount and currency,
// counterparty name, best reference, remittance text as description, and in extra the value date,
// counterparty account, end-to-end id, creditor reference, batch id and amount, the statement's
// account and id, and the bank's codes. A transaction the parser cannot read is a row error like a
// bad CSV row. FileParser::open picks it when the file's content is a bank format.
// Thread-safety: one parser per thread.

#include <memory>
#include <string>

#include "bank/statement.h"
#include "bank/statement_summary.h"
#include "ingest/file_parser.h"

namespace oeuvre::ingest {

std::unique_ptr<FileParser> make_bank_file_parser(std::string path, bank::BankFormat format,
                                                  ParseSettings settings);

// The same parser over a spool of the file's transactions written when it was uploaded
// (bank/transaction_spool.h): analyse() and read_records() play it back instead of parsing the
// file, with the same records, errors and layout. kInternal when `spool_path` is no spool; a spool
// found damaged during analyse() fails it with kInternal (the caller then parses the file itself).
Result<std::unique_ptr<FileParser>> make_spooled_bank_file_parser(std::string spool_path,
                                                                  ParseSettings settings);

// The first `max_rows` transactions as preview rows (cells: booking_date, value_date, amount,
// currency, counterparty, reference, description).
Result<Preview> preview_bank_file(const std::string& path, bank::BankFormat format,
                                  const ParseSettings& settings, std::size_t max_rows);

}  // namespace oeuvre::ingest
