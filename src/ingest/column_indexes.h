#pragma once
// ColumnIndexes: which column of one file holds which standard record field, resolved from the
// user's ColumnMapping (column_mapping.h) and, for the fields it leaves unset, from header names and
// their common aliases ("Booking Date", "value_date", "Memo", "Payee", "Debit"/"Credit", ...).
// Thread-safety: pure functions and value types.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "ingest/column_mapping.h"

namespace oeuvre::ingest {

struct ColumnIndexes {
  std::optional<std::size_t> id, date, amount, debit, credit, currency, reference, description,
      counterparty;
  // A debit/credit indicator ("DR"/"CR", "D"/"C", ...) giving the sign of the amount column; only
  // looked for with an amount column, not with debit/credit columns.
  std::optional<std::size_t> credit_debit_indicator;
  // Columns mapped to no standard field, kept as extra text fields under their header name.
  std::vector<std::size_t> extras;
};

// Lower-cases and turns every run of non-alphanumeric characters into one '_', trimmed:
// " Booking Date " -> "booking_date".
std::string normalize_header(std::string_view name);

// Maps `header` (the first CSV record). For each field the first alias in preference order wins:
//   date: date, transaction_date, txn_date, booking_date, posting_date, posted_date, entry_date,
//         value_date, trade_date
//   amount: amount, value, sum, total, amt, transaction_amount, net_amount; or debit + credit
//   columns
//           (debit: debit, withdrawal(s), money_out, paid_out, dr; credit: credit, deposit(s),
//           money_in, paid_in, cr)
//   currency: currency, ccy, cur, currency_code (and währung, devise, moneda, divisa)
//   reference: reference, ref, ref_no, reference_number, payment_reference, invoice,
//   invoice_number,
//              invoice_no, document_number, doc_no, check_number, cheque_number
//   id: id, transaction_id, txn_id, entry_id, record_id, journal_id (the record's id; it is not
//       compared unless a rule names it: two systems' ids rarely coincide)
//   description: description, memo, narrative, details, particulars, remarks, text,
//                transaction_details
//   counterparty: counterparty, payee, payer, name, beneficiary, merchant, vendor, customer, party
//   credit_debit_indicator (with an amount column only): dr_cr, cr_dr, debit_credit, credit_debit,
//     debit_credit_indicator, credit_debit_indicator, cd_indicator, dc_indicator, d_c, c_d,
//     direction, soll_haben, s_h
// plus common German, French and Spanish export headers (datum, buchungstag, betrag, montant,
// importe, verwendungszweck, libelle, concepto, auftraggeber, empfänger, ...). Fails with
// kValidation (field "header") when there is no amount column nor a debit/credit pair (unless
// `amount_required` is false: records without amounts, such as customers or people, whose
// currency, debit or credit columns are then extra columns), or a header name is repeated.
Result<ColumnIndexes> map_columns(std::span<const std::string_view> header);

// map_columns where the user's `named` columns are fixed first. A name matches the header cell equal
// to it (surrounding spaces ignored), else the one cell equal to it after normalize_header. A named
// amount excludes debit/credit detection, a named debit or credit excludes amount detection. Two
// fields may name the same column. Fails with kValidation, field "column_mapping.columns.<field>",
// when a named column is not in the header or the names contradict each other, and as map_columns
// otherwise.
Result<ColumnIndexes> map_columns(std::span<const std::string_view> header,
                                  const MappedColumns& named, bool amount_required = true);

}  // namespace oeuvre::ingest
