#pragma once
// Internal to the camt reader (camt.cpp): the open elements as one path (ElementPath), and the
// fields of an entry and of a transaction detail by their path below it, found by one lookup per
// element instead of a comparison per field. Thread-safety: ElementPath, external synchronisation;
// the lookups are pure.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oeuvre::bank::camt {

// The open elements' local names as one "/A/B/C" string: a push or pop costs no allocation once
// the string has grown, and a field is recognised by comparing its path below an element with one
// string ("RltdPties/Dbtr/Nm"), not name by name.
class ElementPath {
 public:
  std::size_t size() const { return starts_.size(); }
  bool empty() const { return starts_.empty(); }
  void push(std::string_view name) {
    text_ += '/';
    starts_.push_back(text_.size());
    text_ += name;
  }
  void pop() {
    text_.resize(starts_.back() - 1);
    starts_.pop_back();
  }
  // REQUIRES: depth < size()
  std::string_view operator[](std::size_t depth) const {
    const std::size_t begin = starts_[depth];
    const std::size_t end = depth + 1 < starts_.size() ? starts_[depth + 1] - 1 : text_.size();
    return std::string_view(text_).substr(begin, end - begin);
  }
  std::string_view back() const { return (*this)[size() - 1]; }
  // The names below depth `base` joined by '/', "" when `base` is the innermost.
  std::string_view below(std::size_t base) const {
    if (base + 1 >= starts_.size()) return {};
    return std::string_view(text_).substr(starts_[base + 1]);
  }

 private:
  std::string text_;
  std::vector<std::size_t> starts_;
};

// The fields the reader keeps, of an entry (Ntry) or a transaction detail (TxDtls).
enum class Field {
  kAmount, kTxAmount, kCreditDebit, kReversal, kStatus, kBooking, kValue, kServicerReference,
  kEntryReference, kDomain, kFamily, kSubFamily, kProprietary, kEntryInfo, kBatchMessage,
  kBatchPaymentInformation, kBatchCount, kDebtorName, kCreditorName, kDebtorAccount,
  kCreditorAccount, kUnstructured, kCreditorReference, kDetailInfo, kPurpose, kReturnReason,
};

// The field at `below`, the path below an entry ("BkTxCd/Domn/Cd"), or nullopt for any other.
std::optional<Field> entry_field_at(std::string_view below);
// The same below a transaction detail ("RltdPties/Dbtr/Pty/Nm").
std::optional<Field> detail_field_at(std::string_view below);

}  // namespace oeuvre::bank::camt
