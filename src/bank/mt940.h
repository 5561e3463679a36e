#pragma once
// SWIFT MT940 customer statements, as banks write them: bare (":20:" first, optionally after bank
// header lines such as "ABNANL2A" / "940" or ING's "0000 01INGBNL2AXXXX00001") or wrapped in SWIFT
// blocks ({1:...}{2:...}{4: ... -}), one or more messages per file, CRLF or LF lines. Each message
// is one statement, delivered to a StatementSink as statement.h describes.
//
// What each tag becomes:
// - :20: -> StatementInfo::statement_id; :25: -> account (spaces removed, otherwise as written,
//   currency suffix included: "1291.99.348EUR"); :28C:/:28: -> sequence as written ("00004/00001");
//   :21: -> code {"related_reference", ...} on every transaction of the statement.
// - Balances: :60F: "opening", :60M: "interim", :62F: "closing", :62M: "interim",
//   :64: "closing_available", :65: "forward_available"; Balance::code is the tag ("60F").
//   The statement's currency is the :60F:'s (else the :60M:'s); period_start is the first :60x:
//   date, period_end the :62F: date (else the :62M:'s). Balances are reported as the file has
//   them, even when they do not add up.
// - Dates are YYMMDD; years 80-99 are 1980-1999, the others 2000-2079.
// - :61: one Transaction: value date; entry date (MMDD, year taken from the value date, the nearest
//   across a year end) as booking_date, or the value date when the entry date is absent (or, as
//   Citi writes it, four spaces); marks C/D, RC (reversal of a credit: negative, reversal=true),
//   RD (reversal of a debit: positive, reversal=true), EC/ED (credit/debit, kept as code
//   {"debit_credit_mark", "EC"}); an optional funds code letter; the amount with ',' decimals at
//   the currency's scale; codes {"swift_code", "NTRF"}, {"customer_reference", ...} (not NONREF),
//   {"supplementary_details", ...}; the bank reference after "//" (not NONREF) -> transaction_id.
// - :86: (one or several tags, continuation lines) -> counterparty, ids and description, in the
//   dialects mt940_details.h reads: the German/Polish "?"-subfields (">" at Triodos),
//   with SEPA keywords EREF+/KREF+/MREF+/CRED+/SVWZ+/ABWA+/... in ?20-?29/?60-?63; the
//   "/TAG/value/" structure (ING, ABN AMRO, Rabobank: /EREF/ /REMI/ /NAME/ /IBAN/ /CNTP/ /MARF/
//   /CSID/ /RTRN/ ...); ABN AMRO's and Knab's "IBAN: ... NAAM: ... OMSCHRIJVING: ..." text; plain
//   text otherwise (the whole text is the description). Texts are kept with runs of blanks made
//   one space; wrapped lines are joined without a space after a full (65-character) line.
//   Transaction::reference follows statement.h: creditor reference, end-to-end id, invoice number
//   in the description, else the :61: customer reference (the :86: KREF+ value when it says
//   "KREF+"; none when it is NONREF, shorter than 3 characters, or the counterparty's account).
//
// Decisions on damaged input:
// - A :61: that cannot be read (its amount, date or debit/credit mark) is a RowProblem
//   ("line N"); the statement's other transactions still arrive.
// - A date that does not exist but has a day of at most 31 ("160230") is read as the last day of
//   its month (2016-02-29), with a warning naming the line, as the mt-940 reference parser does.
// - A message without :20:, :25: or :60F:/:60M:, a tag outside a message, an unreadable :60x: or
//   :62x: balance, a line over 64 KiB or a :86: over 64 KiB fails the parse: kValidation, the
//   message naming the line and the reason. An unreadable :64:/:65: is skipped with a warning.
// - Text that is not UTF-8 is read as Windows-1252 (the usual encoding of bank exports), with one
//   warning for the file.
//
// Memory stays flat: the file is read in 64 KiB chunks, one line and one transaction at a time.
// Thread-safety: pure functions; a sink and a source are used by one parse at a time.

#include <string_view>

#include "bank/statement.h"
#include "core/result.h"
#include "csv/byte_source.h"

namespace oeuvre::bank {

// True when the first bytes of a file (up to 64 KiB; a UTF-8 BOM, leading whitespace and control
// characters skipped) are MT940: SWIFT block headers {1:...} with a {4: block whose first tag is
// :20:, or (after at most a few short bank header lines, or ":940:") a :20: line followed by :25:,
// :28 and :60 lines. An ordinary CSV, JSON, XML, BAI2 or OFX file never matches.
bool looks_like_mt940(std::string_view head);

// Reads every statement of the MT940 file in `source` into `sink` (see the file comment).
// Fails (kValidation, field "file") when the file is not MT940 or is broken beyond the current
// transaction; the sink may have received earlier statements by then. I/O errors of the source
// are returned as they are.
Result<void> parse_mt940(csv::ByteSource& source, StatementSink& sink);

}  // namespace oeuvre::bank
