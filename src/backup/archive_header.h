#pragma once
// The fixed 64-byte header that opens every backup archive (docs/backups.md, "Archive format"). It is
// written in clear (so a reader can name the key an archive needs) and authenticated as the
// additional data of the first encrypted chunk, so a changed byte fails that chunk.
//
//   offset size
//        0    8  magic "OEUVREBK"
//        8    2  format version, little-endian (kArchiveFormatVersion)
//       10    1  source kind (1 SQLite, 2 PostgreSQL)
//       11    1  reserved, 0
//       12    8  creation time, Unix seconds, little-endian signed
//       20   16  key id (BackupKey::id())
//       36    4  chunk size: the most plaintext bytes in one chunk, little-endian
//       40   24  libsodium secretstream header (XChaCha20-Poly1305)
// Thread-safety: value types and pure functions.

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "backup/backup_key.h"
#include "core/result.h"

namespace oeuvre::backup {

inline constexpr std::uint16_t kArchiveFormatVersion = 1;
inline constexpr std::size_t kArchiveHeaderBytes = 64;
inline constexpr std::uint32_t kDefaultChunkBytes = 64 * 1024;
inline constexpr std::uint32_t kMaxChunkBytes = 16 * 1024 * 1024;

enum class SourceKind : std::uint8_t { kSqlite = 1, kPostgres = 2 };
std::string to_string(SourceKind kind);
Result<SourceKind> parse_source_kind(std::string_view text);

struct ArchiveHeader {
  std::uint16_t format_version = kArchiveFormatVersion;
  SourceKind source_kind = SourceKind::kSqlite;
  std::chrono::sys_seconds created_at{};
  BackupKey::Id key_id{};
  std::uint32_t chunk_bytes = kDefaultChunkBytes;
  std::array<std::uint8_t, 24> stream_header{};
};

using HeaderBytes = std::array<std::uint8_t, kArchiveHeaderBytes>;

HeaderBytes encode_header(const ArchiveHeader& header);
// The header from its bytes: kBadRequest for another file type, an unsupported version, an unknown
// source kind or a chunk size out of range, each with a message saying which.
Result<ArchiveHeader> decode_header(const HeaderBytes& bytes);

}  // namespace oeuvre::backup
