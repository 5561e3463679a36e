#pragma once
// The list of the commonest passwords that the password policy refuses. Thread-safety: a pure
// function.

#include <string_view>

namespace oeuvre::security {

// True iff `password`, with ASCII letters lower-cased, is one of the commonest passwords of at
// least 10 characters (the list is built into the binary).
bool is_common_password(std::string_view password);

}  // namespace oeuvre::security
