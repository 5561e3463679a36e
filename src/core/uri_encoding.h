#pragma once
// RFC 3986 percent-encoding. Thread-safety: pure function.

#include <string>
#include <string_view>

namespace oeuvre {

// Every byte but the unreserved characters (A-Z a-z 0-9 - _ . ~) as %XX (upper-case hex), with '/'
// kept when `keep_slash` (paths) and encoded otherwise (query values, URL user info).
std::string uri_encode(std::string_view text, bool keep_slash);

}  // namespace oeuvre
