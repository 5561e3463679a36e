#pragma once
// ColumnMapping: which CSV column holds which standard record field, found from header names and
// their common aliases ("Booking Date", "value_date", "Memo", "Payee", "Debit"/"Credit", ...).
// Thread-safety: pure functions and value types.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace oeuvre::ingest {

struct ColumnMapping {
  std::optional<std::size_t> id, date, amount, debit, credit, currency, reference, description,
      counterparty;
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
//   currency: currency, ccy, cur, currency_code
//   reference: reference, ref, ref_no, reference_number, payment_reference, invoice,
//   invoice_number,
//              invoice_no, document_number, doc_no, check_number, cheque_number
//   id: id, transaction_id, txn_id, entry_id, record_id, journal_id (the record's id; it is not
//       compared unless a rule names it: two systems' ids rarely coincide)
//   description: description, memo, narrative, details, particulars, remarks, text,
//                transaction_details
//   counterparty: counterparty, payee, payer, name, beneficiary, merchant, vendor, customer, party
// plus common German, French and Spanish export headers (datum, buchungstag, betrag, montant,
// importe, verwendungszweck, libelle, concepto, auftraggeber, empfänger, ...). Fails with
// kValidation (field "header") when there is no amount column nor a debit/credit pair, or a header
// name is repeated.
Result<ColumnMapping> map_columns(std::span<const std::string_view> header);

}  // namespace oeuvre::ingest
