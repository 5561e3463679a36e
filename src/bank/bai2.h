#pragma once
// BAI2 (Cash Management Balance Reporting Specification, version 2) read into the shapes of
// statement.h. Each account block (03 account identifier .. 49 account trailer) is one statement;
// each 16 transaction detail that is a credit or a debit is one transaction.
//
// Records. A record starts with its type code and a comma (01, 02, 03, 16, 49, 88, 98, 99) and ends
// at a "/" followed, after spaces, by the end of the line or by the next record's code and comma;
// any other "/" is data (16 texts and references such as "AB/GS/001" or "08/18/23"), so a text
// holding "/16," would be cut there. A record without its "/" ends with its line; several records
// may share a line ("...PPD/ 16,142,500,..."); a line that does not start with a record code goes
// on with the unterminated record before it (the line break becomes a space in 16 text). An 88
// continues the fields of the record before it: the 03 summaries, the 16 fields and then the 16
// text (each 88's text joined by a space). A file with no line break in its first 64 KiB (a
// blocked transmission) is cut into physical records of the length its 01 header declares. Lines
// are at most 64 KiB, a record with its 88s at most 256 KiB; memory stays flat whatever the size.
//
// Mapping:
// - StatementInfo: account = the 03 account number (spaces removed); currency = the 03 currency,
//   else the 02 group's, else USD (the BAI2 default); statement_id = "<file id>/<group n>/<account
//   n>" (1-based positions in the file and in the group: unique in the file even when an account
//   appears twice); message_id = the 01 file id; period_start = period_end = the 02 as-of date.
// - Balances from the 03 (and its 88) summaries, dated the as-of date, amounts signed as written:
//   010 "opening", 015 "closing", 040 "opening_available", 045 "closing_available", 030 (current
//   ledger) "interim", 060 (current available) "interim_available"; every other status code and
//   every summary (100 total credits, 400 total debits, 072 one-day float, ...) is type "other"
//   with its code. Item counts and funds availability of summaries are not kept.
// - Amounts are implied-decimal integers, i.e. already minor units at the currency's scale.
//   Transactions: type codes 100-399 and 920-959 are credits (+), 400-699 and 960-999 debits (-);
//   any other code (890 non-monetary information, 700-799 loan detail, ...) has no direction in
//   BAI2 and the detail is skipped with a warning. transaction_id = the bank reference; reference =
//   the customer reference (the payer's or the customer's own reference, the closest BAI2 has to a
//   structured one), else an invoice number found in the text; description = the text and its 88
//   continuations; booking_date = the as-of date; value_date = the date of funds type V, else none.
//   codes: {"bai_type_code", "165"}, {"bai_funds_type", "V"} (when given), {"bai_value_time",
//   "1300"}, {"bai_funds_distribution", "0:100000 1:200000 2:150000"} (days:amount for S, where 2
//   means two or more days, and for D).
// - A 16 whose type code, amount (digits only) or funds type cannot be read is a RowProblem;
//   anything else that cannot be read, a record out of place (16 outside an account, no 99 at the
//   end, ...) or another version than 2 fails the parse naming the line.
// - Trailers are checked as the spec defines them: 49 control total = the sum of the account's 03,
//   88 and 16 amounts (not the S/D availability figures), and its number of records (03 to 49);
//   98 total = the sum of its 49 totals, its number of accounts and of records (02 to 98); 99
//   total = the sum of the 98 totals, its number of groups and of records (01 to 99). A
//   disagreement is a warning naming the line and both figures, not a refusal: banks send files
//   with wrong trailers whose transactions are right (moov-io/bai2 checks them only with its
//   StrictControlTotals option, off by default). An account with an unreadable amount is not
//   checked against its control total.
// Thread-safety: pure functions; a parse uses only its arguments.

#include <string_view>

#include "bank/statement.h"
#include "core/result.h"
#include "csv/byte_source.h"

namespace oeuvre::bank {

// True when `head` (the first bytes of a file; a UTF-8 BOM and leading whitespace are skipped)
// starts with a BAI2 file header: "01," and then exactly eight fields (sender, receiver, creation
// date YYMMDD, time HHMM, file id, physical record length and block size (digits or empty),
// version "2") up to the "/" or the end of the line.
bool looks_like_bai2(std::string_view head);

// Reads a BAI2 file from `source` and delivers its account blocks as statements to `sink` (see
// StatementSink). Fails with file_error (kValidation, the message naming the line and the
// reason) when the file is not BAI2 version 2 or is broken beyond the current transaction; a read
// error of `source` is returned as it is. Statements already delivered before a failure are to be
// discarded by the caller.
Result<void> parse_bai2(csv::ByteSource& source, StatementSink& sink);

}  // namespace oeuvre::bank
