#pragma once
// XML read as a stream through expat, made safe for files from outside: the one XML reader of the
// bank parsers (camt, OFX 2.x). An XmlStream owns the expat parser and its settings:
// - A DOCTYPE that declares an entity is refused ("the file declares XML entities, which are
//   refused"), and so is a reference to an entity the file does not declare: nothing external is
//   ever loaded, parameter entities are never read, no entity can expand.
// - Elements nest at most Options::max_depth deep; an element's text is at most
//   Options::max_text_bytes (the handler words those two refusals, see XmlHandler).
// - Encodings: UTF-8, UTF-16, ISO-8859-1 and US-ASCII (expat's own), and the names
//   text_encoding.h's charset_named reads as Windows-1252 or ISO-8859-1; text reaches the handler
//   as UTF-8.
// - The file is read 64 KiB at a time, so memory stays flat whatever its size; a file that is not
//   well formed fails with its line, column and expat's reason.
// Thread-safety: an XmlStream and its handler are used by one thread at a time (external
// synchronisation needed).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "csv/byte_source.h"

struct XML_ParserStruct;  // expat's parser (expat.h's XML_Parser)

namespace oeuvre::bank {

// An element's name. With namespace processing, the namespace URI ("" when none) and the local
// name; without, uri "" and the name as written ("ofx:STMTRS" stays whole).
struct XmlName {
  std::string_view uri;
  std::string_view local;
};

// The attributes of a start tag; valid only during XmlHandler::start_element.
class XmlAttributes {
 public:
  // The value of the attribute `name` as written (without a namespace), or "" when there is none.
  std::string_view value_of(std::string_view name) const;

 private:
  friend class XmlStream;
  explicit XmlAttributes(const char* const* pairs) : pairs_(pairs) {}
  const char* const* pairs_;  // name, value, name, value, ..., null
};

// What an XmlStream delivers a document to. Its calls come from inside XmlStream::read and stop
// once the stream has failed.
class XmlHandler {
 public:
  virtual ~XmlHandler() = default;

  // An element opens (at most Options::max_depth open at once).
  virtual void start_element(XmlName name, const XmlAttributes& attributes) = 0;
  // The innermost open element closes. `text` is its character data as written (not trimmed),
  // at most Options::max_text_bytes, when it has no child element; "" when it has one (text
  // around child elements is neither kept nor counted).
  virtual void end_element(std::string_view text) = 0;

  // Where the document is being read, for the message of XML that is not well formed
  // ("... at /OFX/BANKMSGSRSV1"); "" to name the line and column alone.
  virtual std::string location() const = 0;
  // The messages the stream fails with (as file_error) when, at `line`, an element would nest
  // deeper than `max_depth` (before start_element), or the text of the element open now would
  // grow longer than `max_bytes`.
  virtual std::string too_deep_message(std::uint64_t line, std::size_t max_depth) const = 0;
  virtual std::string text_too_long_message(std::uint64_t line, std::size_t max_bytes) const = 0;
};

// Reads one document into an XmlHandler, with the settings of the file comment.
class XmlStream {
 public:
  struct Options {
    // Element names split into namespace URI and local name, by the xmlns declarations in force
    // (a prefix never declared makes the file not well formed); without, names as written.
    bool namespaces = false;
    std::size_t max_depth = 64;
    std::size_t max_text_bytes = std::size_t{64} * 1024;
    // Names the files in the message for an encoding that is not read: "camt" -> "camt files are
    // read in UTF-8, ...".
    std::string_view format;
    // The words of the message for XML that is not well formed, after "line L, column C: " and
    // before " (expat's reason)": "the file is not well-formed XML".
    std::string_view not_well_formed;
  };

  // REQUIRES: `handler` outlives the stream (it may own the stream).
  XmlStream(XmlHandler& handler, Options options);
  ~XmlStream();
  XmlStream(const XmlStream&) = delete;
  XmlStream& operator=(const XmlStream&) = delete;

  // Reads one document: `head` (bytes already taken from `source`, if any), then the rest of
  // `source`. Fails with file_error (kValidation) when the file is empty, is not well-formed XML,
  // declares or refers to entities, is in another encoding, breaks a limit, or a handler called
  // fail(); a read error of `source` is returned as it is. Called once.
  Result<void> read(csv::ByteSource& source, std::string_view head = {});

  // For a handler: stops the parse; read() returns `error` (the first one given).
  void fail(Error error);
  bool failed() const { return error_.has_value(); }

  // The 1-based line the parser is at (in a handler: where the current event is).
  std::uint64_t line() const;

 private:
  struct Callbacks;  // expat's handlers, in xml_stream.cpp

  Error not_read_error() const;
  // "line L, column C: <Options::not_well_formed> (reason) at <handler's location>".
  Error not_well_formed(std::string_view reason) const;
  // With Options::namespaces: applies the element's namespace declarations and splits its
  // qualified name into `name` (uri and local). False (the stream failed) for a prefix never
  // declared, or too many declarations.
  bool resolve(std::string_view qualified, const char* const* attributes, XmlName& name);

  XmlHandler& handler_;
  const Options options_;
  XML_ParserStruct* parser_ = nullptr;
  std::optional<Error> error_;
  std::string unknown_encoding_;  // the name an XML declaration gave that is not read
  std::size_t depth_ = 0;         // elements open
  bool in_text_ = false;          // the innermost open element has no child element yet
  std::string text_;              // its text so far
  // With Options::namespaces: the declarations in force, innermost last, as (prefix, uri), and
  // how many each open element declared.
  std::vector<std::pair<std::string, std::string>> bindings_;
  std::vector<std::uint32_t> declared_;
};

}  // namespace oeuvre::bank
