#pragma once
// RecordTable: the columnar records one side of a reconciliation brings to the engine. Strings live
// in one arena per column (StringColumn), numbers in flat vectors, so a million records cost a few
// allocations, not millions.
// Thread-safety: external synchronisation needed for writes; concurrent const use is safe.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/date.h"
#include "core/money.h"
#include "core/result.h"

namespace oeuvre::engine {

// Dates are day numbers of core/date.h (kNoDate when missing); amounts are minor units, written
// with core/money.h.

// The fields every RecordTable has, and the one list of their names (rules, explanations and the
// services that show records all name fields through these). Any other name is an extra field.
enum class StandardField { kId, kDate, kAmount, kCurrency, kReference, kDescription, kCounterparty };
inline constexpr std::array<std::string_view, 7> kStandardFieldNames = {
    "id", "date", "amount", "currency", "reference", "description", "counterparty"};

// The standard field called `name` (ASCII case ignored), or nullopt for an extra field.
std::optional<StandardField> standard_field(std::string_view name);
inline bool is_standard_field(std::string_view name) { return standard_field(name).has_value(); }

// An append-only column of strings stored back to back in one buffer.
class StringColumn {
 public:
  std::size_t size() const { return ends_.size(); }
  // REQUIRES: index < size()
  std::string_view operator[](std::size_t index) const {
    std::size_t begin = index == 0 ? 0 : ends_[index - 1];
    return std::string_view(bytes_.data() + begin, ends_[index] - begin);
  }
  void push_back(std::string_view value) {
    bytes_.append(value);
    ends_.push_back(bytes_.size());
  }
  void reserve(std::size_t count, std::size_t bytes) {
    ends_.reserve(count);
    bytes_.reserve(bytes);
  }
  std::size_t byte_size() const { return bytes_.size(); }
  // Appends every value of `other`, in order.
  void append(const StringColumn& other) {
    const std::size_t base = bytes_.size();
    bytes_.append(other.bytes_);
    ends_.reserve(ends_.size() + other.ends_.size());
    for (std::size_t end : other.ends_) ends_.push_back(base + end);
  }

 private:
  std::string bytes_;
  std::vector<std::size_t> ends_;
};

enum class ExtraKind { kText, kNumber, kDate };

// A named field beyond the standard ones. Exactly one of text / numbers is filled: text for kText,
// numbers for kNumber (integers, e.g. minor units) and kDate (days, kNoDate when missing).
struct ExtraColumn {
  std::string name;
  ExtraKind kind = ExtraKind::kText;
  StringColumn text;
  std::vector<std::int64_t> numbers;
};

// The standard fields. Every present column has exactly size() entries; a column a source does not
// have is marked absent (has_*) and holds empty values, so rules over it are dropped, not failed.
struct RecordTable {
  StringColumn ids;
  std::vector<std::int32_t> dates;    // kNoDate when missing
  std::vector<std::int64_t> amounts;  // minor units
  StringColumn currencies;            // ISO 4217 code or ""
  StringColumn references;
  StringColumn descriptions;
  StringColumn counterparties;
  std::vector<ExtraColumn> extras;
  // Source column names of the standard fields, e.g. {"Invoice No", "reference"}: rules may name a
  // field by either.
  std::vector<std::pair<std::string, std::string>> column_names;

  // Digits after the decimal point of the amounts (2 for cents); used to display them.
  int amount_scale = 2;

  bool has_date = false;
  bool has_amount = false;
  bool has_currency = false;
  bool has_reference = false;
  bool has_description = false;
  bool has_counterparty = false;

  std::size_t size() const { return ids.size(); }

  // Checks that every column has size() entries. Fails with kInternal naming the column otherwise.
  Status check_consistent() const;
};

}  // namespace oeuvre::engine
