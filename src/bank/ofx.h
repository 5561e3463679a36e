#pragma once
// OFX bank and credit card statements (statement.h's shape): OFX 1.x (an OFXHEADER:100 header of
// KEY:VALUE lines, then SGML whose leaf elements may have no end tag: "<TRNAMT>-6.60"), OFX 2.x
// (XML with an <?OFX OFXHEADER="200" ...?> instruction) and Quicken's QFX (OFX with an <INTU.BID>).
// OFX 2.x goes through expat with entity declarations refused; OFX 1.x through a small streaming
// SGML tokenizer (no recursion, nesting bounded to 64 levels, values to 64 KiB). A file with an
// OFX 2.x header whose body is SGML (leaf values without end tags, as some banks send) is read as
// SGML. Both feed one mapping, so OFX is mapped once:
// - Each STMTRS (bank) and CCSTMTRS (credit card) is one statement. account = ACCTID of
//   BANKACCTFROM / CCACCTFROM with spaces removed; currency = CURDEF (missing: "" and a warning,
//   amounts then at 2 decimals); period = BANKTRANLIST DTSTART..DTEND; statement_id = TRNUID of the
//   enclosing STMTTRNRS / CCSTMTTRNRS, else "ACCTID/YYYY-MM-DD" of DTEND (else ACCTID);
//   message_id = SONRS/DTSERVER as written. LEDGERBAL is the "closing" balance, AVAILBAL
//   "closing_available" (codes "LEDGERBAL" / "AVAILBAL"); an empty BALAMT means no balance. OFX
//   has no opening balance. BANKID, BRANCHID and ACCTTYPE are not kept (StatementInfo has no
//   field for them).
// - Each STMTTRN is one transaction: DTPOSTED -> booking_date, DTUSER -> value_date (the date part
//   of YYYYMMDD[HHMMSS[.XXX]][[offset:TZ]]), TRNAMT signed as written ('.' or a lone ','),
//   FITID -> transaction_id, NAME (or PAYEE/NAME) -> counterparty_name, MEMO -> description,
//   BANKACCTTO / CCACCTTO ACCTID -> counterparty_account, currency = CURRENCY/CURSYM (the amount
//   is in that currency) else CURDEF; ORIGCURRENCY only notes the original currency (the amount
//   is already in CURDEF). reference = an invoice number in MEMO, else in NAME, else CHECKNUM
//   (unless all zeros), else REFNUM; FITID is never the reference. codes: {"ofx_type", TRNTYPE},
//   {"check_number", CHECKNUM}, {"reference_number", REFNUM}, {"sic", SIC}, {"payee_id",
//   PAYEEID}, {"server_transaction_id", SRVRTID}, {"currency_rate", CURRATE},
//   {"original_currency", ORIGCURRENCY/CURSYM}, each only when not empty.
// - A transaction without a readable amount or posting date is a RowProblem; the others arrive.
// - Text is UTF-8: OFX 1.x bytes are read in the header's character set (ENCODING:UTF-8, CHARSET
//   1252 or ISO-8859-1; otherwise UTF-8 when the value is valid UTF-8, else Windows-1252); OFX 2.x
//   in the XML declaration's encoding (expat's own, plus windows-1252).
// Thread-safety: pure functions; a parse uses only its arguments.

#include <string_view>

#include "bank/statement.h"
#include "core/result.h"
#include "csv/byte_source.h"

namespace oeuvre::bank {

// True when `head` (the first bytes of a file, up to 64 KiB) is OFX: after an optional UTF-8 BOM
// and whitespace, an "OFXHEADER:" header, an <?OFX ...?> instruction, or an <OFX> element; the
// last two also after an <?xml ...?> declaration, which may instead be followed by a
// <!DOCTYPE OFX ...> (so that a file declaring entities reaches expat and is refused there).
bool looks_like_ofx(std::string_view head);

// Reads an OFX / QFX file from `source` in 64 KiB chunks and delivers its statements to `sink` as
// statement.h describes. Fails (kValidation, field "file") when the file is not OFX or its SGML /
// XML is broken (the message names the line and the reason), when it declares XML entities, and
// when the source cannot be read (that error as it is).
Result<void> parse_ofx(csv::ByteSource& source, StatementSink& sink);

}  // namespace oeuvre::bank
