#pragma once
// Writes one backup archive: the bytes given are compressed with zstd, cut into chunks of at most
// `chunk_bytes` and each chunk sealed with libsodium's secretstream (XChaCha20-Poly1305), the last one
// tagged final (docs/backups.md, "Archive format"). Memory stays flat: one chunk and zstd's window,
// whatever the total size. The header (archive_header.h) is written first and authenticated with the
// first chunk.
// Not safe for concurrent use.

#include <sodium.h>
#include <zstd.h>

#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "backup/archive_header.h"
#include "backup/backup_key.h"
#include "core/result.h"
#include "security/crypto.h"

namespace oeuvre::backup {

struct ArchiveOptions {
  SourceKind source_kind = SourceKind::kSqlite;
  std::chrono::sys_seconds created_at{};
  std::uint32_t chunk_bytes = kDefaultChunkBytes;
  int compression_level = 3;
};

class ArchiveWriter {
 public:
  // Writes the header to `out` and returns a writer for the payload. REQUIRES: `out` outlives the
  // writer; chunk_bytes in 1..kMaxChunkBytes.
  static Result<std::unique_ptr<ArchiveWriter>> start(std::ostream& out, const BackupKey& key,
                                                      const ArchiveOptions& options);
  ~ArchiveWriter();
  ArchiveWriter(const ArchiveWriter&) = delete;
  ArchiveWriter& operator=(const ArchiveWriter&) = delete;

  // Adds payload bytes. kUnavailable when `out` cannot be written.
  Status write(std::string_view data);
  // Ends the compressed stream and seals the final chunk. REQUIRES: called once, after the last write.
  Status finish();

  // Bytes written to `out` so far (header, lengths and sealed chunks).
  std::uint64_t archive_bytes() const { return archive_bytes_; }
  // Payload bytes given to write().
  std::uint64_t payload_bytes() const { return payload_bytes_; }
  // SHA-256 of everything written to `out`. REQUIRES: finish() succeeded; called once.
  std::string archive_sha256_hex() { return sha256_.finish_hex(); }

 private:
  ArchiveWriter(std::ostream& out, std::uint32_t chunk_bytes);
  Status compress(std::string_view data, ZSTD_EndDirective mode);
  Status seal_chunk(unsigned char tag);
  Status emit(const unsigned char* data, std::size_t size);

  std::ostream& out_;
  ZSTD_CCtx* zstd_ = nullptr;
  crypto_secretstream_xchacha20poly1305_state state_{};
  HeaderBytes header_bytes_{};
  std::vector<unsigned char> plain_;   // compressed bytes of the chunk being filled
  std::size_t plain_used_ = 0;
  std::vector<unsigned char> sealed_;  // one sealed chunk
  std::uint64_t chunks_ = 0;
  std::uint64_t archive_bytes_ = 0;
  std::uint64_t payload_bytes_ = 0;
  security::Sha256Stream sha256_;
};

}  // namespace oeuvre::backup
