#pragma once
// sniff_file(): looks at the first 64 KiB of an upload and says which table format it is, or why
// it is not a table at all (empty, binary, an image, a spreadsheet workbook, UTF-16), in words a
// user can act on. Thread-safety: a pure function of the file.

#include <string>
#include <string_view>

#include "core/result.h"
#include "ingest/row_source.h"

namespace oeuvre::ingest {

struct SniffedFile {
  FileFormat format = FileFormat::kCsv;
  // CSV: the delimiter an Excel "sep=;" first line declares ('\0': sniff it), and whether that
  // line must be skipped.
  char csv_delimiter = '\0';
  bool skip_separator_line = false;
  std::uint64_t size = 0;  // bytes
};

// The bytes decide: after a UTF-8 byte-order mark and white space, a '[' followed by '{' or ']' is
// a JSON array ('[' followed by anything else too when `filename`/`content_type` say JSON), a '{'
// JSON Lines, anything else CSV. Fails with kNotFound/kBadRequest when the file cannot be read, and
// with kValidation (field "file") when it is empty, binary, UTF-16/UTF-32 encoded, or markup (a '<':
// XML or HTML that is not one of the bank statements recognised before the sniffer is asked).
Result<SniffedFile> sniff_file(const std::string& path, std::string_view filename,
                               std::string_view content_type);

}  // namespace oeuvre::ingest
