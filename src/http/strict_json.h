#pragma once
// A request body's JSON text as a value, refusing what boost::json::parse lets through silently: an
// object with the same key twice (boost::json keeps the last, so a client and a proxy or log
// reading the first would disagree about what was sent). Thread-safe (no state).

#include <boost/json/value.hpp>
#include <string_view>

#include "core/result.h"

namespace oeuvre::http {

// The one JSON document of `text`. kBadRequest naming the problem for malformed JSON, nesting
// deeper than `max_depth`, text after the document, or a key that repeats within one object (after
// unescaping: "a" and "\u0061" are the same key; the same key in two different objects is fine).
Result<boost::json::value> parse_strict_json(std::string_view text, std::size_t max_depth);

}  // namespace oeuvre::http
