#pragma once
// OFX 1.x bodies for ofx.cpp: a streaming SGML tokenizer (no recursion, 64 KiB values, 1 KiB tags)
// that turns the SGML, whose leaf elements may have no end tag ("<TRNAMT>-6.60"), into the
// balanced element events of ElementSink, the interface of the one OFX mapping (ofx.cpp), which
// ofx.cpp's OFX 2.x XML front end feeds the same way. With it, what the two front ends and the
// mapping share: OFX's element vocabulary (which elements are aggregates and which are leaves is
// not written in an SGML file, which has no DTD) and its text rules (whitespace, upper-case
// names, quoting in messages).
// Thread-safety: pure functions; a SgmlReader and its sink are used by one parse at a time.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bank/text_encoding.h"
#include "core/result.h"

namespace oeuvre::bank::ofx {

inline constexpr std::size_t kMaxValueBytes = std::size_t{64} * 1024;

// SGML's whitespace: space, tab, CR, LF, FF, VT.
bool is_space(char c);
bool is_letter(char c);  // ASCII
std::string_view trimmed(std::string_view text);
// `text` with ASCII a-z as A-Z: OFX element names are compared in upper case.
std::string upper(std::string_view text);
// `text` as it may appear in a message: valid UTF-8, at most 200 bytes.
std::string quoted(std::string_view text);
// "line N: ", the start of a message.
std::string at_line(std::uint64_t line);
// The message for a value of the element `name` (starting at `line`) over kMaxValueBytes.
std::string value_too_long_message(std::uint64_t line, std::string_view name);

// The aggregates the OFX mapping knows. A leaf is read in the context of the nearest of these
// around it, so that an unknown aggregate (or, in OFX 1.x, an empty element without its end tag,
// which looks like one) does not hide the leaves inside it; those whose leaves are not read
// (STATUS, FI, BALLIST, ...) are listed so that their leaves are not taken as the statement's.
bool is_known_aggregate(std::string_view name);
// OFX 1.x leaf elements, whose end tag may be left out even when their value is empty
// ("<BRANCHID><ACCTID>1234"): such an element is a leaf, not an aggregate.
bool is_known_leaf(std::string_view name);

// Receives one OFX document as balanced events: an aggregate opens, a leaf with its value, the
// innermost aggregate closes; names in upper case, values trimmed valid UTF-8.
class ElementSink {
 public:
  virtual ~ElementSink() = default;
  virtual Status open(std::string_view name, std::uint64_t line) = 0;
  virtual Status leaf(std::string_view name, std::string_view value, std::uint64_t line) = 0;
  virtual void close() = 0;
  // At the end of the input (`line` its last line).
  virtual Status finish(std::uint64_t line) = 0;
};

// Reads OFX 1.x SGML fed to it in pieces (split anywhere) into `sink`. Which elements are leaves
// is not written in the file: an element whose start tag is followed by text is a leaf whose
// value runs to the next '<' (its end tag, when present, is skipped); one followed by another
// start tag is an aggregate, unless it is a known aggregate or a known leaf. An end tag closes the
// aggregates opened since the matching start tag; a stray end tag is ignored. Text is read in
// `charset` (kUnknown: UTF-8 when a value is valid UTF-8, else Windows-1252), and SGML character
// references (&amp; &lt; &gt; &quot; &apos; &nbsp; &#NNN; &#xHH;) are decoded. Fails (file_error,
// naming the line) on a tag that is not closed, a tag over 1 KiB, a value or CDATA section over
// kMaxValueBytes, markup still open at the end, or what `sink` refuses.
class SgmlReader {
 public:
  SgmlReader(ElementSink& sink, Charset charset) : sink_(sink), charset_(charset) {}

  // Reads the next bytes of the file.
  Status feed(std::string_view bytes);
  // At the end of the file.
  Status finish();

 private:
  enum class State {
    kText,         // between tags
    kMarkup,       // after '<'
    kEndMarkup,    // after "</"
    kStartTag,     // in "<NAME ...", up to '>'
    kEndTag,       // in "</NAME", up to '>'
    kBang,         // after "<!": a comment, a CDATA section or a declaration
    kComment,      // in "<!-- ... -->"
    kCdata,        // in "<![CDATA[ ... ]]>"
    kProcessing,   // in "<? ... ?>"
    kDeclaration,  // in "<!DOCTYPE ... >"
  };

  Status append_text(std::string_view raw);
  Status flush_text();
  Status add_value(std::string_view utf8);
  Status start_tag();
  Status end_tag();
  // A start tag follows the pending element: it becomes a leaf or an aggregate.
  Status settle_pending();
  std::string excerpt() const { return quoted(markup_.substr(0, 40)); }

  ElementSink& sink_;
  Charset charset_;
  State state_ = State::kText;
  std::uint64_t line_ = 1;
  std::uint64_t markup_line_ = 1;  // where the markup being read started
  std::string segment_;            // raw text since the last markup, while pending_ waits for it
  std::string markup_;             // the tag being read, or what follows "<!"
  std::string cdata_;
  char previous_[2] = {0, 0};      // the last two bytes of a comment or instruction
  std::vector<std::string> open_;  // the aggregates open, innermost last (as the sink's)
  bool has_pending_ = false;
  std::string pending_;  // the element whose start tag came last, leaf or aggregate still unknown
  std::uint64_t pending_line_ = 0;
  std::string value_;  // its text so far, UTF-8
};

}  // namespace oeuvre::bank::ofx
