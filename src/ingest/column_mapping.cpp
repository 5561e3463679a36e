#include "ingest/column_mapping.h"

#include <algorithm>
#include <initializer_list>

namespace oeuvre::ingest {

std::string normalize_header(std::string_view name) {
  std::string out;
  bool pending = false;
  for (char c : name) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                       static_cast<unsigned char>(c) >= 0x80;
    if (!alnum) {
      pending = !out.empty();
      continue;
    }
    if (pending) out.push_back('_');
    pending = false;
    out.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

Result<ColumnMapping> map_columns(std::span<const std::string_view> header) {
  std::vector<std::string> names;
  for (std::string_view h : header) names.push_back(normalize_header(h));
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) continue;
    for (std::size_t j = 0; j < i; ++j) {
      if (names[j] == names[i]) {
        return Error::Validation("header", "column '" + std::string(header[i]) +
                                               "' appears twice (columns " + std::to_string(j + 1) +
                                               " and " + std::to_string(i + 1) + ")");
      }
    }
  }
  std::vector<bool> taken(names.size(), false);
  auto find = [&](std::initializer_list<std::string_view> aliases) -> std::optional<std::size_t> {
    for (std::string_view alias : aliases) {
      for (std::size_t i = 0; i < names.size(); ++i) {
        if (!taken[i] && names[i] == alias) {
          taken[i] = true;
          return i;
        }
      }
    }
    return std::nullopt;
  };
  ColumnMapping m;
  m.date = find({"date", "transaction_date", "txn_date", "booking_date", "posting_date",
                 "posted_date", "entry_date", "value_date", "trade_date", "datum", "buchungstag",
                 "buchungsdatum", "valuta", "date_operation", "fecha"});
  m.amount = find({"amount", "value", "sum", "total", "amt", "transaction_amount", "net_amount",
                   "betrag", "montant", "importe"});
  if (!m.amount) {
    m.debit =
        find({"debit", "withdrawal", "withdrawals", "money_out", "paid_out", "dr", "debit_amount"});
    m.credit =
        find({"credit", "deposit", "deposits", "money_in", "paid_in", "cr", "credit_amount"});
  }
  m.currency = find({"currency", "ccy", "cur", "currency_code"});
  m.reference = find({"reference", "ref", "ref_no", "reference_number", "payment_reference",
                      "invoice", "invoice_number", "invoice_no", "document_number", "doc_no",
                      "check_number", "cheque_number"});
  m.id = find({"id", "transaction_id", "txn_id", "entry_id", "record_id", "journal_id"});
  m.description = find({"description", "memo", "narrative", "details", "particulars", "remarks",
                        "text", "transaction_details", "verwendungszweck", "libelle", "concepto"});
  m.counterparty = find({"counterparty", "payee", "payer", "name", "beneficiary", "merchant",
                         "vendor", "customer", "party", "auftraggeber", "empfaenger", "empfänger",
                         "beguenstigter", "tiers"});
  if (!m.amount && !(m.debit && m.credit)) {
    std::string found;
    for (std::string_view h : header) found += (found.empty() ? "" : ", ") + std::string(h);
    return Error::Validation("header",
                             "no amount column: expected one named amount, value, sum or total, "
                             "or a debit and a credit column; found: " +
                                 found);
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!taken[i] && !names[i].empty()) m.extras.push_back(i);
  }
  return m;
}

}  // namespace oeuvre::ingest
