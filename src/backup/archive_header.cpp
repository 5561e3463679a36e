#include "backup/archive_header.h"

#include <cstring>

namespace oeuvre::backup {

namespace {

constexpr std::string_view kMagic = "OEUVREBK";

template <class T>
void put_le(std::uint8_t* out, T value) {
  auto bits = static_cast<std::make_unsigned_t<T>>(value);
  for (std::size_t i = 0; i < sizeof(T); ++i) out[i] = static_cast<std::uint8_t>(bits >> (8 * i));
}

template <class T>
T get_le(const std::uint8_t* in) {
  std::make_unsigned_t<T> bits = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) bits |= static_cast<std::make_unsigned_t<T>>(in[i]) << (8 * i);
  return static_cast<T>(bits);
}

}  // namespace

std::string to_string(SourceKind kind) { return kind == SourceKind::kSqlite ? "sqlite" : "postgres"; }

Result<SourceKind> parse_source_kind(std::string_view text) {
  if (text == "sqlite") return SourceKind::kSqlite;
  if (text == "postgres") return SourceKind::kPostgres;
  return Error::BadRequest("unknown source kind '" + std::string(text) + "'");
}

HeaderBytes encode_header(const ArchiveHeader& header) {
  HeaderBytes out{};
  std::memcpy(out.data(), kMagic.data(), kMagic.size());
  put_le<std::uint16_t>(out.data() + 8, header.format_version);
  out[10] = static_cast<std::uint8_t>(header.source_kind);
  out[11] = 0;
  put_le<std::int64_t>(out.data() + 12, header.created_at.time_since_epoch().count());
  std::memcpy(out.data() + 20, header.key_id.data(), header.key_id.size());
  put_le<std::uint32_t>(out.data() + 36, header.chunk_bytes);
  std::memcpy(out.data() + 40, header.stream_header.data(), header.stream_header.size());
  return out;
}

Result<ArchiveHeader> decode_header(const HeaderBytes& bytes) {
  if (std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) != 0) {
    return Error::BadRequest("not an Œuvre backup archive (its first bytes are not OEUVREBK)");
  }
  ArchiveHeader header;
  header.format_version = get_le<std::uint16_t>(bytes.data() + 8);
  if (header.format_version != kArchiveFormatVersion) {
    return Error::BadRequest("archive format version " + std::to_string(header.format_version) +
                             " is not supported (this build reads version " +
                             std::to_string(kArchiveFormatVersion) + ")");
  }
  const std::uint8_t kind = bytes[10];
  if ((kind != 1 && kind != 2) || bytes[11] != 0) return Error::BadRequest("archive header is damaged");
  header.source_kind = static_cast<SourceKind>(kind);
  header.created_at = std::chrono::sys_seconds(std::chrono::seconds(get_le<std::int64_t>(bytes.data() + 12)));
  std::memcpy(header.key_id.data(), bytes.data() + 20, header.key_id.size());
  header.chunk_bytes = get_le<std::uint32_t>(bytes.data() + 36);
  if (header.chunk_bytes == 0 || header.chunk_bytes > kMaxChunkBytes) {
    return Error::BadRequest("archive header is damaged (chunk size out of range)");
  }
  std::memcpy(header.stream_header.data(), bytes.data() + 40, header.stream_header.size());
  return header;
}

}  // namespace oeuvre::backup
