#pragma once
// Reading the small, flat XML documents S3 answers with (ListObjectsV2, InitiateMultipartUpload,
// Error): the text of named elements, entities decoded. Not a general XML parser: no namespaces
// prefixes, no CDATA, no attributes; elements are found by name at any depth. Bounded by its input.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace oeuvre::aws {

// The inner text of every <name>...</name> (or <name attr="...">...</name>) in order, undecoded.
std::vector<std::string_view> xml_elements(std::string_view xml, std::string_view name);

// The decoded text of the first <name> element, nullopt when there is none.
std::optional<std::string> xml_text(std::string_view xml, std::string_view name);

// &amp; &lt; &gt; &quot; &apos; and &#N; / &#xN; (as UTF-8) decoded; anything else kept as is.
std::string xml_decode(std::string_view text);

}  // namespace oeuvre::aws
