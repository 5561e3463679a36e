#include "bank/camt_paths.h"

#include <array>
#include <initializer_list>
#include <utility>

namespace oeuvre::bank::camt {
namespace {

// A fixed set of paths, each with its Field, looked up by a cheap hash (the path's length and
// three of its bytes) and one comparison: an element's end costs a few instructions, not a
// string hash.
class FieldTable {
 public:
  FieldTable(std::initializer_list<std::pair<std::string_view, Field>> fields) {
    for (const auto& [path, field] : fields) {
      std::size_t slot = hash(path);
      while (slots_[slot].field) slot = (slot + 1) % kSlots;
      slots_[slot] = {path, field};
    }
  }
  std::optional<Field> find(std::string_view path) const {
    for (std::size_t slot = hash(path);; slot = (slot + 1) % kSlots) {
      const Slot& s = slots_[slot];
      if (!s.field || s.path == path) return s.field;
    }
  }

 private:
  static constexpr std::size_t kSlots = 128;  // at most a sixth full: short probes
  static std::size_t hash(std::string_view path) {
    if (path.empty()) return 0;
    const auto byte = [&](std::size_t i) { return static_cast<std::size_t>(path[i] & 0x7F); };
    return (path.size() * 31 + byte(0) * 7 + byte(path.size() / 2) * 3 + byte(path.size() - 1)) %
           kSlots;
  }
  struct Slot {
    std::string_view path;
    std::optional<Field> field;
  };
  std::array<Slot, kSlots> slots_{};
};

const FieldTable& entry_fields() {
  static const FieldTable kFields = {
      {"Amt", Field::kAmount},
      {"CdtDbtInd", Field::kCreditDebit},
      {"RvslInd", Field::kReversal},
      {"Sts", Field::kStatus},
      {"Sts/Cd", Field::kStatus},
      {"Sts/Prtry", Field::kStatus},
      {"BookgDt/Dt", Field::kBooking},
      {"BookgDt/DtTm", Field::kBooking},
      {"ValDt/Dt", Field::kValue},
      {"ValDt/DtTm", Field::kValue},
      {"AcctSvcrRef", Field::kServicerReference},
      {"NtryRef", Field::kEntryReference},
      {"BkTxCd/Domn/Cd", Field::kDomain},
      {"BkTxCd/Domn/Fmly/Cd", Field::kFamily},
      {"BkTxCd/Domn/Fmly/SubFmlyCd", Field::kSubFamily},
      {"BkTxCd/Prtry/Cd", Field::kProprietary},
      {"AddtlNtryInf", Field::kEntryInfo},
      {"NtryDtls/Btch/MsgId", Field::kBatchMessage},
      {"NtryDtls/Btch/PmtInfId", Field::kBatchPaymentInformation},
      {"NtryDtls/Btch/NbOfTxs", Field::kBatchCount},
  };
  return kFields;
}

const FieldTable& detail_fields() {
  static const FieldTable kFields = {
      {"Amt", Field::kAmount},
      {"AmtDtls/TxAmt/Amt", Field::kTxAmount},
      {"CdtDbtInd", Field::kCreditDebit},
      {"BkTxCd/Domn/Cd", Field::kDomain},
      {"BkTxCd/Domn/Fmly/Cd", Field::kFamily},
      {"BkTxCd/Domn/Fmly/SubFmlyCd", Field::kSubFamily},
      {"BkTxCd/Prtry/Cd", Field::kProprietary},
      // Version 8 and later wrap the party in Pty.
      {"RltdPties/Dbtr/Nm", Field::kDebtorName},
      {"RltdPties/Dbtr/Pty/Nm", Field::kDebtorName},
      {"RltdPties/Cdtr/Nm", Field::kCreditorName},
      {"RltdPties/Cdtr/Pty/Nm", Field::kCreditorName},
      {"RltdPties/DbtrAcct/Id/IBAN", Field::kDebtorAccount},
      {"RltdPties/DbtrAcct/Id/Othr/Id", Field::kDebtorAccount},
      {"RltdPties/CdtrAcct/Id/IBAN", Field::kCreditorAccount},
      {"RltdPties/CdtrAcct/Id/Othr/Id", Field::kCreditorAccount},
      {"RmtInf/Ustrd", Field::kUnstructured},
      {"RmtInf/Strd/CdtrRefInf/Ref", Field::kCreditorReference},
      {"AddtlTxInf", Field::kDetailInfo},
      {"Purp/Cd", Field::kPurpose},
      {"RtrInf/Rsn/Cd", Field::kReturnReason},
  };
  return kFields;
}

}  // namespace

std::optional<Field> entry_field_at(std::string_view below) { return entry_fields().find(below); }

std::optional<Field> detail_field_at(std::string_view below) { return detail_fields().find(below); }

}  // namespace oeuvre::bank::camt
