#pragma once
// RecordTableBuilder: records, one at a time, into the engine's columnar RecordTable. The one
// conversion from records to what the engine reads: a job on the server feeds it the stored records
// of a data source, `oeuvre reconcile` and the engine's test cases the records FileParser reads
// from a file, so the same records make the same table wherever they come from.
// Thread-safety: external synchronisation needed.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/record_table.h"
#include "engine/rules.h"

namespace oeuvre::ingest {

// One record's fields, as views valid for the call to add().
struct RecordFields {
  std::string_view id;
  std::int32_t date = kNoDate;  // days since 1970-01-01
  std::int64_t amount_minor = 0;
  std::string_view currency, reference, description, counterparty;
  std::string_view extra_json;  // a JSON object of further fields ("{}" or "" when none)
};

// The fields `rules` read on one side (left or right) beyond the standard ones (id, date, amount,
// currency, reference, description, counterparty) and beyond `column_names` (a source header
// naming a standard field), lower-cased, each once, in rule order; then the rules' batch_field
// when they match batches.
std::vector<std::string> extra_fields_read_by(
    const engine::RuleSet& rules, bool left,
    const std::vector<std::pair<std::string, std::string>>& column_names = {});

class RecordTableBuilder {
 public:
  // `extra_fields`: lower-cased names of the extra fields to keep as text columns; each record's
  // value is the first key of its extra JSON equal to the name ignoring ASCII case (a string as is,
  // any other JSON value as its compact text), "" when absent.
  explicit RecordTableBuilder(std::vector<std::string> extra_fields = {});

  // Source column names of the standard fields ({"Invoice No", "reference"}), so rules may name a
  // field by its header too.
  void set_column_names(std::vector<std::pair<std::string, std::string>> column_names);
  // Whether the records carry amounts (default true). False for a file without an amount column
  // (FileLayout::has_amounts): the table's amount column is then absent, and rules over it are
  // dropped.
  void set_has_amounts(bool has_amounts) { table_.has_amount = has_amounts; }
  void reserve(std::size_t records);
  void add(const RecordFields& record);
  std::size_t size() const { return table_.size(); }

  // The table. A standard field is present when some record has a value for it; amounts are at the
  // scale of the first record's currency (ISO 4217), or `unknown_currency_scale` when it has none.
  engine::RecordTable finish(int unknown_currency_scale = 2) &&;

 private:
  engine::RecordTable table_;
};

}  // namespace oeuvre::ingest
