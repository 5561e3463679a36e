#include "store/database_url.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "core/utf8.h"

namespace oeuvre::store {

namespace {

constexpr std::string_view kField = "DATABASE_URL";
constexpr std::string_view kSqliteForms =
    "sqlite:///absolute/path, sqlite://relative/path or sqlite::memory:";
constexpr std::string_view kExpected =
    "expected sqlite:///absolute/path, sqlite://relative/path, sqlite::memory: or postgres://...";

Error url_error(const std::string& message) {
  return Error(ErrorCode::kValidation, std::string(kField) + ": " + message,
               {FieldError{std::string(kField), message}});
}

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// The password in scheme://user:password@host..., as written (maybe percent-encoded), or "".
std::string_view authority_password(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme_end + 3);
  const auto limit = std::min(rest.find('?'), rest.find('#'));
  const auto at = rest.substr(0, limit).rfind('@');
  if (at == std::string_view::npos) return {};
  const std::string_view userinfo = rest.substr(0, at);
  const auto colon = userinfo.find(':');
  if (colon == std::string_view::npos) return {};
  return userinfo.substr(colon + 1);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

void replace_all(std::string& text, std::string_view needle, std::string_view with) {
  if (needle.empty()) return;
  for (auto pos = text.find(needle); pos != std::string::npos;
       pos = text.find(needle, pos + with.size())) {
    text.replace(pos, needle.size(), with);
  }
}

Result<DatabaseUrl> parse_sqlite(std::string_view rest) {
  // rest is what follows "sqlite:".
  DatabaseUrl out;
  out.kind = DatabaseUrl::kSqlite;
  if (rest == ":memory:") {
    out.sqlite_path = ":memory:";
    return out;
  }
  if (rest.substr(0, 2) != "//") {
    return url_error("a SQLite URL is " + std::string(kSqliteForms));
  }
  rest.remove_prefix(2);
  if (rest.empty()) return url_error("the SQLite URL names no file; " + std::string(kExpected));
  if (rest.find('\0') != std::string_view::npos) {
    return url_error("the SQLite path contains a NUL byte");
  }
  out.sqlite_path = std::string(rest);
  return out;
}

Result<DatabaseUrl> parse_postgres(std::string_view url) {
  const std::string conninfo(url);
  if (conninfo.find('\0') != std::string::npos) {
    return url_error("the PostgreSQL URL contains a NUL byte");
  }
  char* raw_message = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &raw_message);
  if (options == nullptr) {
    std::string message = raw_message ? raw_message : "out of memory";
    PQfreemem(raw_message);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    // libpq quotes the offending token, which may be the password: hide it in every spelling.
    const std::string_view password = authority_password(url);
    if (!password.empty()) {
      replace_all(message, password, "***");
      replace_all(message, percent_decode(password), "***");
    }
    return url_error("not a valid PostgreSQL URL (" + redact_database_url(message) + ")");
  }
  PQconninfoFree(options);
  DatabaseUrl out;
  out.kind = DatabaseUrl::kPostgres;
  out.postgres_conninfo = conninfo;
  return out;
}

}  // namespace

Result<DatabaseUrl> parse_database_url(std::string_view url) {
  url = trim(url);
  if (url.empty()) return url_error("is empty; " + std::string(kExpected));
  const auto colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return url_error("has no scheme; " + std::string(kExpected));
  }
  const std::string scheme = ascii_lowercase(url.substr(0, colon));
  if (scheme == "sqlite") return parse_sqlite(url.substr(colon + 1));
  if (scheme == "postgres" || scheme == "postgresql") {
    if (url.substr(colon + 1, 2) != "//") {
      return url_error("a PostgreSQL URL starts with postgres:// or postgresql://");
    }
    // libpq only knows the lower-case schemes.
    std::string normalised = scheme + std::string(url.substr(colon));
    return parse_postgres(normalised);
  }
  if (scheme.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789+.-") != std::string::npos) {
    return url_error("has no scheme; " + std::string(kExpected));
  }
  return url_error("unsupported scheme \"" + scheme + "\"; " + std::string(kExpected));
}

std::string redact_database_url(std::string_view url) {
  std::string out(url);
  // 1. scheme://user:PASSWORD@host
  if (const auto scheme_end = out.find("://"); scheme_end != std::string::npos) {
    const std::size_t start = scheme_end + 3;
    const std::string_view rest = std::string_view(out).substr(start);
    const auto limit = std::min(rest.find('?'), rest.find('#'));
    const auto at = rest.substr(0, limit).rfind('@');
    if (at != std::string_view::npos) {
      const auto colon = rest.substr(0, at).find(':');
      if (colon != std::string_view::npos && colon + 1 < at) {
        out.replace(start + colon + 1, at - colon - 1, "***");
      }
    }
  }
  // 2. password=VALUE as a URI query parameter or a conninfo keyword (value possibly 'quoted').
  const std::string lowered = ascii_lowercase(out);
  std::string result;
  result.reserve(out.size());
  std::size_t copied = 0;
  constexpr std::string_view kKey = "password";
  for (auto pos = lowered.find(kKey); pos != std::string::npos; pos = lowered.find(kKey, pos + 1)) {
    if (pos < copied) continue;
    const bool starts_word = pos == 0 || lowered[pos - 1] == '?' || lowered[pos - 1] == '&' ||
                             std::isspace(static_cast<unsigned char>(lowered[pos - 1]));
    std::size_t eq = pos + kKey.size();
    while (eq < out.size() && out[eq] == ' ') ++eq;
    if (!starts_word || eq >= out.size() || out[eq] != '=') continue;
    std::size_t value = eq + 1;
    while (value < out.size() && out[value] == ' ') ++value;
    std::size_t end = value;
    if (end < out.size() && out[end] == '\'') {
      ++end;
      while (end < out.size() && out[end] != '\'') end += (out[end] == '\\') ? 2 : 1;
      end = std::min(end + 1, out.size());
    } else {
      while (end < out.size() && out[end] != '&' && out[end] != '#' &&
             !std::isspace(static_cast<unsigned char>(out[end]))) {
        ++end;
      }
    }
    if (end == value) continue;  // an empty password hides nothing
    result.append(out, copied, value - copied);
    result += "***";
    copied = end;
  }
  result.append(out, copied, std::string::npos);
  return result;
}

std::string postgres_url_with_database(std::string_view url, std::string_view database) {
  const std::string text(url);
  const auto scheme = text.find("://");
  const std::size_t authority = scheme == std::string::npos ? 0 : scheme + 3;
  const auto path = text.find_first_of("/?#", authority);
  if (path == std::string::npos) return text + "/" + std::string(database);
  if (text[path] != '/') return text.substr(0, path) + "/" + std::string(database) + text.substr(path);
  const auto path_end = text.find_first_of("?#", path);
  return text.substr(0, path + 1) + std::string(database) +
         (path_end == std::string::npos ? std::string() : text.substr(path_end));
}

}  // namespace oeuvre::store
