// libFuzzer target for the rules a request or a file gives the engine (engine/rules.h), match
// models included (engine/match_model.h): any bytes must give rules or field errors -- never a
// crash, a sanitizer report, or a broken promise:
//  - rules that parse are valid (validate_rules) and, written out, parse again;
//  - a model that parses has levels going down to 0 and m and u strictly between 0 and 1, and,
//    written out, reads back;
//  - every error message is valid UTF-8 (input text is never echoed raw).
// Built outside CMake by scripts/fuzz.sh (clang, -fsanitize=fuzzer,address,undefined).
#include <boost/json.hpp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "core/utf8.h"
#include "engine/match_model.h"
#include "engine/rules.h"

namespace {

void require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "broken promise: %s\n", what);
    std::abort();
  }
}

void check_errors(const oeuvre::Error& error) {
  require(oeuvre::is_valid_utf8(error.message()), "an error message is valid UTF-8");
  for (const oeuvre::FieldError& e : error.field_errors()) {
    require(oeuvre::is_valid_utf8(e.field) && oeuvre::is_valid_utf8(e.message),
            "a field error is valid UTF-8");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rules = oeuvre::engine::parse_rules(text);
  if (!rules.ok()) {
    check_errors(rules.error());
  } else {
    require(oeuvre::engine::validate_rules(*rules).ok(), "parsed rules are valid");
    const std::string written = oeuvre::engine::rules_to_json(*rules);
    auto again = oeuvre::engine::parse_rules(written);
    require(again.ok(), "written rules parse again");
  }

  // The same bytes as a model on its own (what `oeuvre reconcile --model` reads).
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 16;
  const boost::json::value value = boost::json::parse(text, ec, {}, options);
  if (ec) return 0;
  auto model = oeuvre::engine::model_from_json(value, "model");
  if (!model.ok()) {
    check_errors(model.error());
    return 0;
  }
  for (const auto& rule : model->rules) {
    require(!rule.levels.empty() && rule.levels.back().min_similarity == 0, "levels end at 0");
    for (std::size_t i = 0; i < rule.levels.size(); ++i) {
      const auto& level = rule.levels[i];
      require(level.m > 0 && level.m < 1 && level.u > 0 && level.u < 1, "m and u in (0, 1)");
      require(i == 0 || level.min_similarity < rule.levels[i - 1].min_similarity,
              "levels go down");
    }
  }
  const std::string written = boost::json::serialize(oeuvre::engine::model_to_json(*model));
  auto again = oeuvre::engine::model_from_json(boost::json::parse(written), "model");
  require(again.ok(), "a written model reads again");
  return 0;
}
