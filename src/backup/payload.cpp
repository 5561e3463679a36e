#include "backup/payload.h"

#include <array>
#include <vector>

namespace oeuvre::backup {

namespace {

constexpr std::string_view kMagic = "OEUVREPL";
constexpr std::uint16_t kVersion = 1;
constexpr std::size_t kSegmentBytes = 256 * 1024;

template <std::size_t N>
std::string little_endian(std::uint64_t value) {
  std::string out(N, '\0');
  for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  return out;
}

template <std::size_t N>
Result<std::uint64_t> read_little_endian(ArchiveReader& archive) {
  std::array<char, N> bytes{};
  RETURN_IF_ERROR(archive.read_exact(bytes));
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < N; ++i) value |= std::uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
  return value;
}

Error damaged(const std::string& what) { return Error::BadRequest("the archive's payload is damaged: " + what); }

}  // namespace

bool valid_entry_name(std::string_view name) {
  if (name == kDescriptionEntry || name == kSqliteDatabaseEntry || name == kPostgresDatabaseEntry) return true;
  if (!name.starts_with(kFileEntryPrefix)) return false;
  const std::string_view key = name.substr(kFileEntryPrefix.size());
  if (key.empty() || key.size() > 512 || key.front() == '/' || key.find("..") != std::string_view::npos) return false;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Result<PayloadWriter> PayloadWriter::start(ArchiveWriter& archive) {
  RETURN_IF_ERROR(archive.write(std::string(kMagic) + little_endian<2>(kVersion)));
  return PayloadWriter(archive);
}

Status PayloadWriter::begin_entry(std::string_view name) {
  if (in_entry_ || name.empty() || name.size() > 0xffff) return Error::Internal("invalid payload entry");
  in_entry_ = true;
  return archive_->write("F" + little_endian<2>(name.size()) + std::string(name));
}

Status PayloadWriter::write(std::string_view data) {
  while (!data.empty()) {
    const std::string_view segment = data.substr(0, kSegmentBytes);
    RETURN_IF_ERROR(archive_->write(little_endian<4>(segment.size())));
    RETURN_IF_ERROR(archive_->write(segment));
    data.remove_prefix(segment.size());
  }
  return OkStatus();
}

Status PayloadWriter::end_entry() {
  in_entry_ = false;
  return archive_->write(little_endian<4>(0));
}

Status PayloadWriter::add_entry(std::string_view name, std::istream& content) {
  RETURN_IF_ERROR(begin_entry(name));
  std::vector<char> buffer(kSegmentBytes);
  while (content) {
    content.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<std::size_t>(content.gcount());
    if (got > 0) RETURN_IF_ERROR(write(std::string_view(buffer.data(), got)));
  }
  if (content.bad()) return Error::Unavailable("cannot read " + std::string(name) + " for the backup");
  return end_entry();
}

Status PayloadWriter::finish() { return archive_->write("Z"); }

Result<PayloadReader> PayloadReader::open(ArchiveReader& archive) {
  std::array<char, 10> opening{};
  RETURN_IF_ERROR(archive.read_exact(opening));
  if (std::string_view(opening.data(), kMagic.size()) != kMagic) return damaged("no payload opening");
  const auto version = static_cast<std::uint16_t>(static_cast<unsigned char>(opening[8]) |
                                                  (static_cast<unsigned char>(opening[9]) << 8));
  if (version != kVersion) return damaged("payload version " + std::to_string(version) + " is not supported");
  return PayloadReader(archive);
}

Result<std::optional<std::string>> PayloadReader::next_entry() {
  char marker = 0;
  RETURN_IF_ERROR(archive_->read_exact({&marker, 1}));
  if (marker == 'Z') {
    char extra = 0;
    ASSIGN_OR_RETURN(std::size_t more, archive_->read({&extra, 1}));
    if (more != 0) return damaged("bytes after its end");
    return std::optional<std::string>();
  }
  if (marker != 'F') return damaged("unknown entry marker");
  ASSIGN_OR_RETURN(std::uint64_t length, read_little_endian<2>(*archive_));
  std::string name(length, '\0');
  RETURN_IF_ERROR(archive_->read_exact(name));
  if (!valid_entry_name(name)) return damaged("an entry has an invalid name");
  return std::optional<std::string>(std::move(name));
}

Status PayloadReader::read_entry(const std::function<Status(std::string_view)>& sink) {
  std::vector<char> buffer;
  while (true) {
    ASSIGN_OR_RETURN(std::uint64_t length, read_little_endian<4>(*archive_));
    if (length == 0) return OkStatus();
    if (length > kSegmentBytes) return damaged("a segment is longer than allowed");
    buffer.resize(length);
    RETURN_IF_ERROR(archive_->read_exact(buffer));
    RETURN_IF_ERROR(sink(std::string_view(buffer.data(), buffer.size())));
  }
}

Result<std::string> PayloadReader::read_small_entry(std::size_t limit) {
  std::string text;
  RETURN_IF_ERROR(read_entry([&](std::string_view piece) -> Status {
    if (text.size() + piece.size() > limit) return damaged("an entry is larger than expected");
    text.append(piece);
    return OkStatus();
  }));
  return text;
}

}  // namespace oeuvre::backup
