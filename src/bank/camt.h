#pragma once
// ISO 20022 bank-to-customer cash management messages: camt.052 (account report), camt.053
// (statement) and camt.054 (debit/credit notification), versions 02 to 12, read into the shapes of
// statement.h. Each Rpt / Stmt / Ntfctn is one statement; each Ntry one transaction, or one per
// transaction detail (TxDtls) when the entry is a batch whose details carry their own amounts.
//
// The XML is read by expat as a stream, chunk by chunk: memory holds the current statement's
// header, the current entry and at most a few hundred of its transaction details, whatever the
// file's size. A DOCTYPE that declares entities is refused (no XXE, no entity expansion), nothing
// external is ever loaded, elements nest at most 64 deep and an element's text is at most 64 KiB.
// Encodings: UTF-8, UTF-16, ISO-8859-1, US-ASCII (expat's own) and windows-1252; text is delivered
// as UTF-8.
//
// Decisions (see camt.cpp for the details):
// - Signs come from CdtDbtInd alone (CRDT +, DBIT -). RvslInd only sets Transaction::reversal: per
//   the ISO 20022 usage rule CdtDbtInd already is the direction of the reversal entry itself.
// - Balances: OPBD and PRCD "opening", CLBD "closing", OPAV "opening_available", CLAV
//   "closing_available", FWAV "forward_available", ITBD "interim", ITAV "interim_available", INFO
//   "information", XPCD "expected_credit"; any other (or a proprietary) code "other".
// - An entry's amount, currency, credit/debit mark or dates that cannot be read make a RowProblem
//   whose location is the entry's XML path; XML that is not well formed fails the parse.
// Thread-safety: pure functions; a parse uses only its arguments.

#include <optional>
#include <string_view>

#include "bank/statement.h"
#include "core/result.h"
#include "csv/byte_source.h"

namespace oeuvre::bank {

// True when `head` (the first bytes of a file; a UTF-8 BOM and leading whitespace are skipped) is
// an XML document whose root is a Document in a camt.052/053/054 namespace (any version: an
// unsupported one is refused by parse_camt with its reason), or whose root, or the first element
// inside a Document without a namespace, is BkToCstmrAcctRpt / BkToCstmrStmt /
// BkToCstmrDbtCdtNtfctn.
bool looks_like_camt(std::string_view head);

// Which of the three messages `head` is, or nullopt when !looks_like_camt(head).
std::optional<BankFormat> camt_format(std::string_view head);

// Reads a camt.052/053/054 file from `source` and delivers its statements to `sink` (see
// StatementSink). Fails with file_error (kValidation) when the file is not such a message
// (another root or namespace, a version outside 02..12, no statement in it), is not well-formed
// XML (the message names the line and expat's reason), declares XML entities, or breaks the depth
// or text limits; a read error of `source` is returned as it is. Statements already delivered
// before a failure are to be discarded by the caller.
Result<void> parse_camt(csv::ByteSource& source, StatementSink& sink);

}  // namespace oeuvre::bank
