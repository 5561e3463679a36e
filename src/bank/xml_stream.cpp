#include "bank/xml_stream.h"

#include <expat.h>

#include <string>
#include <type_traits>
#include <utility>

#include "bank/statement.h"
#include "bank/text_encoding.h"
#include "core/utf8.h"

namespace oeuvre::bank {

static_assert(std::is_same_v<XML_Char, char>,
              "expat must deliver UTF-8 (built without XML_UNICODE)");

namespace {

constexpr std::size_t kChunkBytes = std::size_t{64} * 1024;
constexpr std::size_t kQuotedBytes = 100;  // of a name quoted in a message
// Namespace declarations in force at once (bounded like every other part of an untrusted file).
constexpr std::size_t kMaxNamespaceBindings = 256;

std::string quoted(std::string_view text) { return to_valid_utf8(text, kQuotedBytes); }

std::string line_prefix(std::uint64_t line) { return "line " + std::to_string(line) + ": "; }

}  // namespace

std::string_view XmlAttributes::value_of(std::string_view name) const {
  for (const char* const* a = pairs_; a != nullptr && a[0] != nullptr; a += 2)
    if (std::string_view(a[0]) == name) return a[1];
  return "";
}

// expat's handlers, each with the stream as its user data.
struct XmlStream::Callbacks {
  static void XMLCALL start(void* data, const XML_Char* name, const XML_Char** attributes) {
    auto* self = static_cast<XmlStream*>(data);
    if (self->failed()) return;
    if (self->depth_ >= self->options_.max_depth) {
      self->fail(
          file_error(self->handler_.too_deep_message(self->line(), self->options_.max_depth)));
      return;
    }
    const std::string_view full(name);
    XmlName element{"", full};
    if (self->options_.namespaces && !self->resolve(full, attributes, element)) return;
    ++self->depth_;
    self->in_text_ = true;
    self->text_.clear();
    self->handler_.start_element(element, XmlAttributes(attributes));
  }

  static void XMLCALL end(void* data, const XML_Char* /*name*/) {
    auto* self = static_cast<XmlStream*>(data);
    if (self->failed() || self->depth_ == 0) return;
    const std::string_view text = self->in_text_ ? std::string_view(self->text_) : "";
    self->in_text_ = false;
    self->handler_.end_element(text);
    self->text_.clear();
    --self->depth_;
    if (self->options_.namespaces) {
      self->bindings_.resize(self->bindings_.size() - self->declared_.back());
      self->declared_.pop_back();
    }
  }

  static void XMLCALL characters(void* data, const XML_Char* text, int length) {
    auto* self = static_cast<XmlStream*>(data);
    if (self->failed() || !self->in_text_ || length <= 0) return;
    const auto size = static_cast<std::size_t>(length);
    if (self->text_.size() + size > self->options_.max_text_bytes) {
      self->fail(file_error(
          self->handler_.text_too_long_message(self->line(), self->options_.max_text_bytes)));
      return;
    }
    self->text_.append(text, size);
  }

  static void XMLCALL entity_declaration(void* data, const XML_Char* name, int /*parameter*/,
                                         const XML_Char* /*value*/, int /*value_length*/,
                                         const XML_Char* /*base*/, const XML_Char* /*system_id*/,
                                         const XML_Char* /*public_id*/,
                                         const XML_Char* /*notation*/) {
    auto* self = static_cast<XmlStream*>(data);
    self->fail(file_error(line_prefix(self->line()) +
                          "the file declares XML entities, which are refused (<!ENTITY " +
                          quoted(name == nullptr ? "" : name) +
                          ">): a bank statement never needs them, and they can read other files "
                          "or expand without end"));
  }

  static void XMLCALL skipped_entity(void* data, const XML_Char* name, int /*parameter*/) {
    auto* self = static_cast<XmlStream*>(data);
    self->fail(file_error(line_prefix(self->line()) + "the file refers to the XML entity '&" +
                          quoted(name == nullptr ? "" : name) +
                          ";', which it does not declare; external entities are never loaded"));
  }

  static int XMLCALL unknown_encoding(void* data, const XML_Char* name, XML_Encoding* info) {
    auto* self = static_cast<XmlStream*>(data);
    const std::string_view encoding = name == nullptr ? "" : name;
    const Charset charset = charset_named(encoding);
    if (charset != Charset::kWindows1252 && charset != Charset::kLatin1) {
      self->unknown_encoding_ = quoted(encoding);
      return XML_STATUS_ERROR;
    }
    for (int byte = 0; byte < 256; ++byte) {
      info->map[byte] =
          charset == Charset::kWindows1252
              ? static_cast<int>(windows_1252_code_point(static_cast<unsigned char>(byte)))
              : byte;
    }
    info->data = nullptr;
    info->convert = nullptr;
    info->release = nullptr;
    return XML_STATUS_OK;
  }
};

XmlStream::XmlStream(XmlHandler& handler, Options options) : handler_(handler), options_(options) {
  // Namespaces are resolved here (resolve), not by expat's namespace processing: a camt file has
  // one namespace, and expat's processing of it costs a tenth of the parse.
  parser_ = XML_ParserCreate(nullptr);
  if (parser_ == nullptr) return;
  XML_SetUserData(parser_, this);
  XML_SetElementHandler(parser_, Callbacks::start, Callbacks::end);
  XML_SetCharacterDataHandler(parser_, Callbacks::characters);
  XML_SetEntityDeclHandler(parser_, Callbacks::entity_declaration);
  XML_SetSkippedEntityHandler(parser_, Callbacks::skipped_entity);
  XML_SetParamEntityParsing(parser_, XML_PARAM_ENTITY_PARSING_NEVER);
  XML_SetUnknownEncodingHandler(parser_, Callbacks::unknown_encoding, this);
}

XmlStream::~XmlStream() {
  if (parser_ != nullptr) XML_ParserFree(parser_);
}

void XmlStream::fail(Error error) {
  if (failed()) return;
  error_ = std::move(error);
  XML_StopParser(parser_, XML_FALSE);
}

std::uint64_t XmlStream::line() const { return XML_GetCurrentLineNumber(parser_); }

bool XmlStream::resolve(std::string_view qualified, const char* const* attributes, XmlName& name) {
  // The element's declarations (xmlns="uri", xmlns:p="uri") are in force from the element itself.
  std::uint32_t declared = 0;
  for (const char* const* a = attributes; a != nullptr && a[0] != nullptr; a += 2) {
    const std::string_view attribute(a[0]);
    if (!attribute.starts_with("xmlns")) continue;
    std::string_view prefix;
    if (attribute.size() > 5) {
      if (attribute[5] != ':') continue;  // "xmlnsfoo" is an attribute like any other
      prefix = attribute.substr(6);
    }
    if (bindings_.size() >= kMaxNamespaceBindings) {
      fail(file_error(line_prefix(line()) + "the file declares more than " +
                      std::to_string(kMaxNamespaceBindings) +
                      " XML namespaces at once, which a bank statement never needs"));
      return false;
    }
    bindings_.push_back({std::string(prefix), std::string(a[1])});
    ++declared;
  }
  declared_.push_back(declared);
  const std::size_t colon = qualified.find(':');
  const std::string_view prefix = colon == std::string_view::npos ? "" : qualified.substr(0, colon);
  name.local = colon == std::string_view::npos ? qualified : qualified.substr(colon + 1);
  name.uri = "";
  for (auto it = bindings_.rbegin(); it != bindings_.rend(); ++it) {
    if (it->first == prefix) {
      name.uri = it->second;
      return true;
    }
  }
  if (prefix.empty() || prefix == "xml") return true;  // no default namespace; xml is predefined
  fail(not_well_formed("the prefix '" + quoted(prefix) + "' of <" + quoted(qualified) +
                       "> is not declared"));
  return false;
}

// Why the parser stopped when no handler failed it.
Error XmlStream::not_read_error() const {
  if (XML_GetErrorCode(parser_) == XML_ERROR_UNKNOWN_ENCODING) {
    return file_error("line 1: the file's encoding '" + unknown_encoding_ +
                      "' is not read: " + std::string(options_.format) +
                      " files are read in UTF-8, UTF-16, ISO-8859-1, US-ASCII or windows-1252");
  }
  return not_well_formed(XML_ErrorString(XML_GetErrorCode(parser_)));
}

Error XmlStream::not_well_formed(std::string_view reason) const {
  const std::string where = handler_.location();
  return file_error("line " + std::to_string(XML_GetCurrentLineNumber(parser_)) + ", column " +
                    std::to_string(XML_GetCurrentColumnNumber(parser_) + 1) + ": " +
                    std::string(options_.not_well_formed) + " (" + std::string(reason) + ")" +
                    (where.empty() ? "" : " at " + where));
}

Result<void> XmlStream::read(csv::ByteSource& source, std::string_view head) {
  if (parser_ == nullptr) return Error::Internal("the XML parser could not be created");
  std::uint64_t total = head.size();
  if (!head.empty() &&
      XML_Parse(parser_, head.data(), static_cast<int>(head.size()), XML_FALSE) != XML_STATUS_OK) {
    if (failed()) return *error_;
    return not_read_error();
  }
  if (failed()) return *error_;
  for (;;) {
    void* buffer = XML_GetBuffer(parser_, static_cast<int>(kChunkBytes));
    if (buffer == nullptr) return Error::Internal("the XML parser is out of memory");
    ASSIGN_OR_RETURN(const std::size_t read, source.read(static_cast<char*>(buffer), kChunkBytes));
    total += read;
    const bool last = read == 0;
    if (XML_ParseBuffer(parser_, static_cast<int>(read), last ? XML_TRUE : XML_FALSE) !=
        XML_STATUS_OK) {
      if (failed()) return *error_;
      if (total == 0) return file_error("the file is empty");
      return not_read_error();
    }
    if (failed()) return *error_;
    if (last) return OkStatus();
  }
}

}  // namespace oeuvre::bank
