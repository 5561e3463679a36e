#include "ingest/column_mapping.h"

#include <array>
#include <utility>
#include <vector>

#include "core/utf8.h"

namespace oeuvre::ingest {

namespace {

constexpr std::size_t kMaxHeaderLength = 255;

struct ColumnField {
  const char* key;
  std::optional<std::string> MappedColumns::*member;
};

constexpr std::array<ColumnField, 10> kColumnFields = {{
    {"date", &MappedColumns::date},
    {"amount", &MappedColumns::amount},
    {"debit", &MappedColumns::debit},
    {"credit", &MappedColumns::credit},
    {"currency", &MappedColumns::currency},
    {"reference", &MappedColumns::reference},
    {"description", &MappedColumns::description},
    {"counterparty", &MappedColumns::counterparty},
    {"external_id", &MappedColumns::external_id},
    {"credit_debit_indicator", &MappedColumns::credit_debit_indicator},
}};

constexpr std::array<std::pair<DateFormat, std::string_view>, 6> kDateFormats = {{
    {DateFormat::kAuto, "auto"},
    {DateFormat::kIso, "iso"},
    {DateFormat::kDayFirst, "dd/mm/yyyy"},
    {DateFormat::kMonthFirst, "mm/dd/yyyy"},
    {DateFormat::kDotted, "dd.mm.yyyy"},
    {DateFormat::kCompact, "yyyymmdd"},
}};

constexpr std::array<std::pair<DecimalSeparator, std::string_view>, 3> kDecimalSeparators = {{
    {DecimalSeparator::kAuto, "auto"},
    {DecimalSeparator::kDot, "."},
    {DecimalSeparator::kComma, ","},
}};

constexpr std::array<std::string_view, 6> kTopLevelKeys = {"columns",           "date_format",
                                                           "decimal_separator", "default_currency",
                                                           "all_or_nothing",    "amount_optional"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& keys, std::string_view key) {
  for (std::string_view k : keys) {
    if (k == key) return true;
  }
  return false;
}

// A key as it may be echoed in an error path: bounded and valid UTF-8.
std::string printable_key(std::string_view key) {
  std::string out(cut_utf8(key, 64));
  if (!is_valid_utf8(out)) return "(invalid name)";
  return out;
}

// Collects every problem of one mapping, each under its full field path.
class MappingParser {
 public:
  explicit MappingParser(std::string_view field) : field_(field) {}

  Result<ColumnMapping> parse(const boost::json::value& value) {
    ColumnMapping mapping;
    if (!value.is_object()) {
      add("", "must be an object");
      return finish(mapping);
    }
    const boost::json::object& object = value.as_object();
    for (const auto& [key, v] : object) {
      if (!contains(kTopLevelKeys, key)) add("." + printable_key(key), "is not a known field");
    }
    if (const auto* columns = present(object, "columns")) parse_columns(*columns, mapping.columns);
    if (const auto* v = present(object, "date_format")) {
      mapping.date_format = parse_enum(*v, ".date_format", kDateFormats);
    }
    if (const auto* v = present(object, "decimal_separator")) {
      mapping.decimal_separator = parse_enum(*v, ".decimal_separator", kDecimalSeparators);
    }
    if (const auto* v = present(object, "default_currency"))
      mapping.default_currency = parse_currency(*v);
    for (const auto& [key, member] :
         {std::pair{"all_or_nothing", &ColumnMapping::all_or_nothing},
          std::pair{"amount_optional", &ColumnMapping::amount_optional}}) {
      if (const auto* v = present(object, key)) {
        if (v->is_bool()) {
          mapping.*member = v->as_bool();
        } else {
          add("." + std::string(key), "must be true or false");
        }
      }
    }
    return finish(mapping);
  }

 private:
  // The value under `key` unless it is absent or null.
  static const boost::json::value* present(const boost::json::object& object,
                                           std::string_view key) {
    const boost::json::value* v = object.if_contains(key);
    return v == nullptr || v->is_null() ? nullptr : v;
  }

  void add(const std::string& suffix, std::string message) {
    errors_.push_back({field_ + suffix, std::move(message)});
  }

  Result<ColumnMapping> finish(ColumnMapping mapping) {
    if (!errors_.empty()) return Error::Validation(std::move(errors_));
    return mapping;
  }

  void parse_columns(const boost::json::value& value, MappedColumns& columns) {
    if (!value.is_object()) {
      add(".columns", "must be an object mapping record fields to header names");
      return;
    }
    const boost::json::object& object = value.as_object();
    for (const auto& [key, v] : object) {
      bool known = false;
      for (const ColumnField& f : kColumnFields) known = known || key == f.key;
      if (!known) {
        add(".columns." + printable_key(key),
            "is not a known field; use date, amount, debit, credit, currency, reference, "
            "description, counterparty, external_id or credit_debit_indicator");
      }
    }
    for (const ColumnField& f : kColumnFields) {
      if (const auto* v = present(object, f.key))
        columns.*f.member = parse_header(*v, ".columns." + std::string(f.key));
    }
    const bool amount = object.contains("amount") && !object.at("amount").is_null();
    const bool debit = object.contains("debit") && !object.at("debit").is_null();
    const bool credit = object.contains("credit") && !object.at("credit").is_null();
    if (amount && (debit || credit)) {
      add(".columns.amount",
          "cannot be combined with debit/credit: map either amount, or debit and credit");
    }
    if (debit && !credit) add(".columns.credit", "is required when columns.debit is set");
    if (credit && !debit) add(".columns.debit", "is required when columns.credit is set");
    if (columns.debit && columns.credit && *columns.debit == *columns.credit) {
      add(".columns.credit", "must name a different header than columns.debit");
    }
    const bool indicator =
        object.contains("credit_debit_indicator") && !object.at("credit_debit_indicator").is_null();
    if (indicator && (debit || credit)) {
      add(".columns.credit_debit_indicator",
          "gives the sign of an amount column; it cannot be combined with debit/credit");
    }
  }

  std::optional<std::string> parse_header(const boost::json::value& value,
                                          const std::string& suffix) {
    if (!value.is_string()) {
      add(suffix, "must be a header name (a string)");
      return std::nullopt;
    }
    std::string_view name = value.as_string();
    const std::size_t length = utf8_length(name);
    if (length < 1 || length > kMaxHeaderLength) {
      add(suffix, "must be 1 to " + std::to_string(kMaxHeaderLength) + " characters long");
      return std::nullopt;
    }
    if (has_control_characters(name)) {
      add(suffix, "must not contain control characters");
      return std::nullopt;
    }
    if (is_blank(name)) {
      add(suffix, "must not be blank");
      return std::nullopt;
    }
    return std::string(name);
  }

  template <class Enum, std::size_t N>
  std::optional<Enum> parse_enum(const boost::json::value& value, const std::string& suffix,
                                 const std::array<std::pair<Enum, std::string_view>, N>& choices) {
    if (value.is_string()) {
      for (const auto& [e, name] : choices) {
        if (value.as_string() == name) return e;
      }
    }
    std::string list;
    for (const auto& [e, name] : choices) list += (list.empty() ? "" : ", ") + std::string(name);
    add(suffix, "must be one of: " + list);
    return std::nullopt;
  }

  std::optional<std::string> parse_currency(const boost::json::value& value) {
    bool ok = value.is_string() && value.as_string().size() == 3;
    if (ok) {
      for (char c : value.as_string()) ok = ok && c >= 'A' && c <= 'Z';
    }
    if (!ok) {
      add(".default_currency",
          "must be an ISO 4217 currency code: three upper-case letters such as EUR");
      return std::nullopt;
    }
    return std::string(value.as_string());
  }

  std::string field_;
  std::vector<FieldError> errors_;
};

}  // namespace

bool MappedColumns::empty() const {
  for (const ColumnField& f : kColumnFields) {
    if ((this->*f.member).has_value()) return false;
  }
  return true;
}

std::string_view to_string(DateFormat format) {
  for (const auto& [e, name] : kDateFormats) {
    if (e == format) return name;
  }
  return "auto";
}

std::string_view to_string(DecimalSeparator separator) {
  for (const auto& [e, name] : kDecimalSeparators) {
    if (e == separator) return name;
  }
  return "auto";
}

Result<ColumnMapping> parse_column_mapping(const boost::json::value& value,
                                           std::string_view field) {
  return MappingParser(field).parse(value);
}

boost::json::object to_json(const ColumnMapping& mapping) {
  boost::json::object out;
  if (!mapping.columns.empty()) {
    boost::json::object columns;
    for (const ColumnField& f : kColumnFields) {
      if (const auto& header = mapping.columns.*f.member) columns[f.key] = *header;
    }
    out["columns"] = std::move(columns);
  }
  if (mapping.date_format) out["date_format"] = to_string(*mapping.date_format);
  if (mapping.decimal_separator) out["decimal_separator"] = to_string(*mapping.decimal_separator);
  if (mapping.default_currency) out["default_currency"] = *mapping.default_currency;
  if (mapping.all_or_nothing) out["all_or_nothing"] = *mapping.all_or_nothing;
  if (mapping.amount_optional) out["amount_optional"] = *mapping.amount_optional;
  return out;
}

std::string serialize_column_mapping(const ColumnMapping& mapping) {
  return boost::json::serialize(to_json(mapping));
}

Result<ColumnMapping> column_mapping_from_text(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec) return Error::Validation("column_mapping", "is not valid JSON: " + ec.message());
  return parse_column_mapping(value);
}

std::optional<DateOrder> date_order_of(DateFormat format) {
  switch (format) {
    case DateFormat::kAuto:
      return std::nullopt;
    case DateFormat::kIso:
    case DateFormat::kCompact:
      return DateOrder::kYearMonthDay;
    case DateFormat::kDayFirst:
    case DateFormat::kDotted:
      return DateOrder::kDayMonthYear;
    case DateFormat::kMonthFirst:
      return DateOrder::kMonthDayYear;
  }
  return std::nullopt;
}

}  // namespace oeuvre::ingest
