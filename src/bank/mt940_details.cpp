#include "bank/mt940_details.h"

#include <algorithm>
#include <utility>

namespace oeuvre::bank::mt940 {

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (!is_digit(c)) return false;
  return true;
}

int two_digits(std::string_view text) { return (text[0] - '0') * 10 + (text[1] - '0'); }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank_char(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank_char(text.back())) text.remove_suffix(1);
  return text;
}

std::string collapse_spaces(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool space = false;
  for (char c : text) {
    if (is_blank_char(c) || c == '\r' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string without_spaces(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text)
    if (!is_blank_char(c)) out.push_back(c);
  return out;
}

void append_sentence(std::string& text, std::string_view piece) {
  if (piece.empty()) return;
  if (!text.empty()) text.push_back(' ');
  text.append(piece);
}

bool is_no_reference(std::string_view text) { return text.empty() || text == "NONREF"; }

void add_code(Codes& codes, std::string key, std::string_view value) {
  std::string text = collapse_spaces(value);
  if (!text.empty()) codes.emplace_back(std::move(key), std::move(text));
}

namespace {

// The same as kFullLineWidth for the 27-character ?20-?29 / ?32-?33 subfields of the German layout.
constexpr std::size_t kFullSubfieldWidth = 27;

std::string_view trim_left(std::string_view text) {
  while (!text.empty() && is_blank_char(text.front())) text.remove_prefix(1);
  return text;
}

std::string_view without_trailing_slashes(std::string_view text) {
  text = trim(text);
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  return trim(text);
}

// Appends `piece` to `text`: directly when the previous piece filled its width (the bank wrapped
// it there), else after a space.
void append_wrapped(std::string& text, std::string_view piece, bool previous_full) {
  if (!text.empty() && !previous_full) text.push_back(' ');
  text.append(piece);
}

void set_if_empty(std::string& field, std::string value) {
  if (field.empty()) field = std::move(value);
}

// An end-to-end id, "" for the placeholders NOTPROVIDED and NONREF.
std::string end_to_end(std::string_view value) {
  std::string text = collapse_spaces(value);
  return text == "NOTPROVIDED" || text == "NONREF" ? std::string() : text;
}

// The lines as they are, concatenated: for the structured dialects, whose subfield marks may be
// wrapped anywhere ("?2" / "2MTLG").
std::string raw_join(const std::vector<InfoLine>& lines) {
  std::string out;
  for (const InfoLine& line : lines) out += line.text;
  return out;
}

// The lines joined for reading: directly after a full-width line, else with a space (and always
// between two :86: tags). `line_starts` receives where each line begins in the result.
std::string wrapped_join(const std::vector<InfoLine>& lines, std::size_t first,
                         std::vector<std::size_t>* line_starts) {
  std::string out;
  for (std::size_t i = first; i < lines.size(); ++i) {
    const bool full = i > first && !lines[i].starts_tag && lines[i - 1].width >= kFullLineWidth;
    append_wrapped(out, lines[i].text, full);
    if (line_starts != nullptr) line_starts->push_back(out.size() - lines[i].text.size());
  }
  return out;
}

// --- The German (and Polish, Triodos) layout: "166?00GUTSCHRIFT?100399?20EREF+...?32Name".

bool is_subfield_layout(std::string_view text) {
  text = trim_left(text);
  std::size_t i = 0;
  if (text.size() >= 3 && all_digits(text.substr(0, 3))) i = 3;
  return text.size() >= i + 3 && (text[i] == '?' || text[i] == '>') && is_digit(text[i + 1]) &&
         is_digit(text[i + 2]);
}

struct SepaKeyword {
  std::string_view keyword;
  std::string_view code;  // the `codes` key; "" for those read into Transaction fields
};
constexpr SepaKeyword kSepaKeywords[] = {
    {"EREF+", ""},
    {"SVWZ+", ""},
    {"IBAN+", ""},
    {"BIC+", ""},
    {"KREF+", "sepa_customer_reference"},
    {"MREF+", "mandate_id"},
    {"CRED+", "creditor_id"},
    {"DEBT+", "debtor_id"},
    {"ABWA+", "ultimate_debtor"},
    {"ABWE+", "ultimate_creditor"},
    {"COAM+", "compensation_amount"},
    {"OAMT+", "original_amount"},
    {"PURP+", "purpose_code"},
};

const SepaKeyword* sepa_keyword_at_start(std::string_view line) {
  for (const SepaKeyword& keyword : kSepaKeywords)
    if (line.starts_with(keyword.keyword)) return &keyword;
  return nullptr;
}

// ?20-?29 and ?60-?63: the remittance lines. With SEPA keywords each keyword's value runs until
// the next keyword; an id (EREF+, MREF+, ...) ends at a line shorter than 27 characters, the
// remittance text (SVWZ+) does not; lines that belong to no keyword are free text.
void read_remittance_lines(const std::vector<std::string_view>& lines, Details& out) {
  struct Section {
    const SepaKeyword* keyword;
    std::string value;
  };
  std::vector<Section> sections;
  std::string free_text;
  bool in_section = false;
  bool previous_full = false;
  for (std::string_view line : lines) {
    if (const SepaKeyword* keyword = sepa_keyword_at_start(line)) {
      sections.push_back({keyword, std::string(line.substr(keyword->keyword.size()))});
      in_section = true;
    } else if (in_section && (previous_full || sections.back().keyword->keyword == "SVWZ+")) {
      append_wrapped(sections.back().value, line, previous_full);
    } else {
      append_wrapped(free_text, line, previous_full && !in_section);
      in_section = false;
    }
    previous_full = line.size() >= kFullSubfieldWidth;
  }
  std::string remittance;
  for (const Section& section : sections) {
    const std::string_view keyword = section.keyword->keyword;
    if (keyword == "EREF+") {
      set_if_empty(out.end_to_end_id, end_to_end(section.value));
    } else if (keyword == "SVWZ+") {
      append_sentence(remittance, collapse_spaces(section.value));
    } else if (keyword == "IBAN+") {
      set_if_empty(out.counterparty_account, without_spaces(section.value));
    } else if (keyword == "BIC+") {
      add_code(out.codes, "counterparty_bank", section.value);
    } else {
      add_code(out.codes, std::string(section.keyword->code), section.value);
    }
  }
  append_sentence(remittance, collapse_spaces(free_text));
  out.description = std::move(remittance);
}

void read_subfield_layout(std::string_view text, Details& out) {
  text = trim_left(text);
  std::size_t i = 0;
  if (all_digits(text.substr(0, 3)) && text.size() > 3 && (text[3] == '?' || text[3] == '>')) {
    add_code(out.codes, "gvc", text.substr(0, 3));
    i = 3;
  }
  const char separator = text[i];
  const auto is_mark = [&](std::size_t at) {
    return at + 2 < text.size() && text[at] == separator && is_digit(text[at + 1]) &&
           is_digit(text[at + 2]);
  };
  std::vector<std::string_view> remittance;
  std::string name;
  bool name_full = false;
  std::string account, iban, booking_text;
  while (i < text.size()) {
    const int code = two_digits(text.substr(i + 1, 2));
    std::size_t end = i + 3;
    while (end < text.size() && !is_mark(end)) ++end;
    const std::string_view value = text.substr(i + 3, end - i - 3);
    i = end;
    if (code == 0) {
      booking_text = collapse_spaces(value);
    } else if (code == 10) {
      add_code(out.codes, "primanota", value);
    } else if ((code >= 20 && code <= 29) || (code >= 60 && code <= 63)) {
      remittance.push_back(value);
    } else if (code == 30) {
      add_code(out.codes, "counterparty_bank", value);
    } else if (code == 31) {
      account = without_spaces(value);
    } else if (code == 32 || code == 33) {
      append_wrapped(name, value, name_full);
      name_full = value.size() >= kFullSubfieldWidth;
    } else if (code == 34) {
      add_code(out.codes, "text_key_extension", value);
    } else if (code == 38) {
      iban = without_spaces(value);
    }
  }
  add_code(out.codes, "booking_text", booking_text);
  read_remittance_lines(remittance, out);
  if (out.description.empty()) out.description = booking_text;
  out.counterparty_name = collapse_spaces(name);
  if (!iban.empty()) {
    out.counterparty_account = iban;
  } else if (!account.empty()) {
    out.counterparty_account = account;
  }
}

// --- "/TAG/value/" (ING, ABN AMRO, Rabobank): "/EREF/x/BENM//NAME/y/REMI/USTD//text/".

constexpr std::string_view kSlashTags[] = {
    "CDTRREFTP", "CDTRREF", "TRTP", "IBAN", "BIC",  "NAME", "ACCW", "BENM", "ORDP",
    "CNTP",      "REMI",    "EREF", "MARF", "CSID", "RTRN", "PURP", "ISDT", "ULTC",
    "ULTD",      "ULTB",    "PREF", "BUSP", "SVCL", "OCMT", "CHGS", "EXCH"};

bool is_slash_layout(std::string_view text) {
  text = trim_left(text);
  if (text.size() < 4 || text[0] != '/') return false;
  std::size_t i = 1;
  while (i < text.size() && i <= 10 && is_alnum_upper(text[i])) ++i;
  return i >= 3 && i < text.size() && text[i] == '/';
}

struct SlashField {
  std::string_view tag;
  std::string_view value;
};

std::vector<SlashField> slash_fields(std::string_view text) {
  std::vector<SlashField> fields;
  std::size_t value_start = 0;
  for (std::size_t p = 0; p < text.size(); ++p) {
    if (text[p] != '/' || p < value_start) continue;
    for (std::string_view tag : kSlashTags) {
      const std::size_t after = p + 1 + tag.size();
      if (after < text.size() && text.compare(p + 1, tag.size(), tag) == 0 && text[after] == '/') {
        if (!fields.empty()) fields.back().value = text.substr(value_start, p - value_start);
        fields.push_back({tag, {}});
        value_start = after + 1;
        p = after;  // an empty value is "//": "/BENM//NAME/x"
        break;
      }
    }
  }
  if (!fields.empty()) fields.back().value = text.substr(std::min(value_start, text.size()));
  return fields;
}

// /REMI/: "USTD//free text", "STRD/CUR/reference", or the text itself.
void read_remittance(std::string_view value, Details& out) {
  value = trim(value);
  if (value.starts_with("USTD/")) {
    value.remove_prefix(5);
    while (!value.empty() && value.front() == '/') value.remove_prefix(1);
    out.description = collapse_spaces(without_trailing_slashes(value));
  } else if (value.starts_with("STRD/")) {
    value.remove_prefix(5);
    std::string_view reference;
    std::size_t start = 0;
    while (start <= value.size()) {
      std::size_t slash = value.find('/', start);
      if (slash == std::string_view::npos) slash = value.size();
      const std::string_view part = trim(value.substr(start, slash - start));
      if (!part.empty()) reference = part;
      start = slash + 1;
    }
    out.creditor_reference = without_spaces(reference);
    out.description = collapse_spaces(reference);
  } else {
    out.description = collapse_spaces(without_trailing_slashes(value));
  }
}

// Returns false when the text holds none of the known tags.
bool read_slash_layout(std::string_view text, Details& out) {
  const std::vector<SlashField> fields = slash_fields(trim_left(text));
  if (fields.empty()) return false;
  std::string_view party;  // BENM, ORDP, ULTD, ULTC, ULTB: whose NAME/IBAN follow
  for (const SlashField& field : fields) {
    const std::string_view tag = field.tag;
    const std::string_view value = without_trailing_slashes(field.value);
    const bool ultimate = party.starts_with("ULT");
    if (tag == "BENM" || tag == "ORDP" || tag == "ULTD" || tag == "ULTC" || tag == "ULTB") {
      party = tag;
      if (!value.empty() && !party.starts_with("ULT"))
        set_if_empty(out.counterparty_name, collapse_spaces(value));
      continue;
    }
    if (tag == "NAME") {
      if (party == "ULTD") {
        add_code(out.codes, "ultimate_debtor", value);
      } else if (party == "ULTC" || party == "ULTB") {
        add_code(out.codes, "ultimate_creditor", value);
      } else {
        set_if_empty(out.counterparty_name, collapse_spaces(value));
      }
      continue;
    }
    if (tag == "IBAN" || tag == "ACCW") {
      if (!ultimate) set_if_empty(out.counterparty_account, without_spaces(value));
      continue;
    }
    if (tag == "BIC") {
      if (!ultimate) add_code(out.codes, "counterparty_bank", value);
      continue;
    }
    party = {};
    if (tag == "CNTP") {  // account/BIC/name/city
      std::vector<std::string_view> parts;
      std::size_t start = 0;
      while (start <= value.size() && parts.size() < 4) {
        std::size_t slash = value.find('/', start);
        if (slash == std::string_view::npos) slash = value.size();
        parts.push_back(trim(value.substr(start, slash - start)));
        start = slash + 1;
      }
      if (!parts.empty()) set_if_empty(out.counterparty_account, without_spaces(parts[0]));
      if (parts.size() > 1) add_code(out.codes, "counterparty_bank", parts[1]);
      if (parts.size() > 2) set_if_empty(out.counterparty_name, collapse_spaces(parts[2]));
    } else if (tag == "REMI") {
      read_remittance(field.value, out);
    } else if (tag == "EREF") {
      set_if_empty(out.end_to_end_id, end_to_end(value));
    } else if (tag == "CDTRREF") {
      set_if_empty(out.creditor_reference, without_spaces(value));
    } else if (tag == "MARF") {
      add_code(out.codes, "mandate_id", value);
    } else if (tag == "CSID") {
      add_code(out.codes, "creditor_id", value);
    } else if (tag == "RTRN") {
      add_code(out.codes, "return_reason", value);
    } else if (tag == "TRTP") {
      add_code(out.codes, "transaction_type", value);
    } else if (tag == "PURP") {
      add_code(out.codes, "purpose_code", value);
    } else if (tag == "PREF") {
      add_code(out.codes, "payment_information_id", value);
    } else if (tag == "OCMT") {
      add_code(out.codes, "original_amount", value);
    } else if (tag == "EXCH") {
      add_code(out.codes, "exchange_rate", value);
    } else if (tag == "CHGS") {
      add_code(out.codes, "charges", value);
    }
  }
  return true;
}

// --- ABN AMRO / Knab text: "SEPA OVERBOEKING IBAN: NL.. BIC: .. NAAM: .. OMSCHRIJVING: ..",
// "FACTUUR 123 REK: NL65INGB0123456789/NAAM: PICQER".

constexpr std::string_view kTextKeys[] = {
    "OMSCHRIJVING:", "BETALINGSKENM.:", "MACHTIGING:", "INCASSANT:", "KENMERK:",
    "IBAN:",         "NAAM:",           "BIC:",        "REK:"};

struct TextField {
  std::string_view key;
  std::size_t at = 0;  // where the key starts
};

// Returns false when the text has none of IBAN:, REK:, NAAM:, OMSCHRIJVING:.
bool read_key_text_layout(std::string_view text, const std::vector<std::size_t>& line_starts,
                          Details& out) {
  std::vector<TextField> fields;
  std::size_t next_line = 0;
  bool main_key = false;
  for (std::size_t p = 0; p < text.size(); ++p) {
    while (next_line < line_starts.size() && line_starts[next_line] < p) ++next_line;
    const bool line_start = next_line < line_starts.size() && line_starts[next_line] == p;
    if (p > 0 && !line_start && !is_blank_char(text[p - 1]) && text[p - 1] != '/') continue;
    for (std::string_view key : kTextKeys) {
      if (text.compare(p, key.size(), key) == 0) {
        fields.push_back({key, p});
        main_key =
            main_key || key == "IBAN:" || key == "REK:" || key == "NAAM:" || key == "OMSCHRIJVING:";
        p += key.size() - 1;
        break;
      }
    }
  }
  if (!main_key) return false;
  const std::string leading = collapse_spaces(text.substr(0, fields.front().at));
  std::string description;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::size_t start = fields[i].at + fields[i].key.size();
    const std::size_t end = i + 1 < fields.size() ? fields[i + 1].at : text.size();
    const std::string_view value = without_trailing_slashes(text.substr(start, end - start));
    const std::string_view key = fields[i].key;
    if (key == "IBAN:" || key == "REK:") {
      set_if_empty(out.counterparty_account, without_spaces(value));
    } else if (key == "NAAM:") {
      set_if_empty(out.counterparty_name, collapse_spaces(value));
    } else if (key == "OMSCHRIJVING:") {
      append_sentence(description, collapse_spaces(value));
    } else if (key == "KENMERK:") {
      set_if_empty(out.end_to_end_id, end_to_end(value));
    } else if (key == "BETALINGSKENM.:") {
      set_if_empty(out.creditor_reference, without_spaces(value));
    } else if (key == "MACHTIGING:") {
      add_code(out.codes, "mandate_id", value);
    } else if (key == "INCASSANT:") {
      add_code(out.codes, "creditor_id", value);
    } else if (key == "BIC:") {
      add_code(out.codes, "counterparty_bank", value);
    }
  }
  if (leading.starts_with("SEPA ")) {
    add_code(out.codes, "transaction_type", leading);
  } else if (description.empty()) {
    description = leading;
  }
  out.description = std::move(description);
  return true;
}

}  // namespace

Details interpret_details(const std::vector<InfoLine>& lines, std::string_view customer_reference) {
  Details out;
  if (lines.empty()) return out;
  const std::string_view first = lines.front().text;
  if (is_subfield_layout(first)) {
    read_subfield_layout(raw_join(lines), out);
    return out;
  }
  if (is_slash_layout(first) && read_slash_layout(raw_join(lines), out)) return out;
  std::vector<std::size_t> line_starts;
  const std::string text = wrapped_join(lines, 0, &line_starts);
  if (read_key_text_layout(text, line_starts, out)) return out;
  const std::string_view first_line = trim_left(first);
  if (!is_no_reference(customer_reference) && customer_reference.size() >= 6 &&
      first_line.size() > customer_reference.size() && first_line.starts_with(customer_reference) &&
      is_blank_char(first_line[customer_reference.size()])) {
    out.counterparty_account = std::string(customer_reference);
    out.counterparty_name = collapse_spaces(first_line.substr(customer_reference.size()));
    out.description = collapse_spaces(wrapped_join(lines, 1, nullptr));
    out.account_from_customer_reference = true;
    return out;
  }
  out.description = collapse_spaces(text);
  return out;
}

}  // namespace oeuvre::bank::mt940
