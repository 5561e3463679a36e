#pragma once
// Reads one backup archive back (archive_writer.h): checks the header, then opens, authenticates and
// decompresses one chunk at a time as the payload is read. Every way an archive can be damaged fails
// with kBadRequest and a message saying which: another file type or version, a key with another id, a
// chunk that fails authentication (a changed byte anywhere, a chunk moved or dropped), an archive that
// ends before its final chunk, bytes after it, or a compressed stream that does not end. Payload bytes
// are handed out before the final chunk is reached: a caller that must not act on a damaged archive
// reads it to the end first (verify), then again to use it.
// Not safe for concurrent use.

#include <sodium.h>
#include <zstd.h>

#include <istream>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "backup/archive_header.h"
#include "backup/backup_key.h"
#include "core/result.h"
#include "security/crypto.h"

namespace oeuvre::backup {

class ArchiveReader {
 public:
  // Reads and checks the header. REQUIRES: `in` outlives the reader.
  static Result<std::unique_ptr<ArchiveReader>> open(std::istream& in, const BackupKey& key);
  ~ArchiveReader();
  ArchiveReader(const ArchiveReader&) = delete;
  ArchiveReader& operator=(const ArchiveReader&) = delete;

  const ArchiveHeader& header() const { return header_; }
  // Up to out.size() payload bytes; 0 only once the final chunk has been authenticated and the
  // compressed stream has ended. REQUIRES: !out.empty().
  Result<std::size_t> read(std::span<char> out);
  // Reads exactly out.size() bytes; kBadRequest when the payload ends first.
  Status read_exact(std::span<char> out);

  // Archive bytes consumed so far and their SHA-256 (REQUIRES for the digest: read() returned 0;
  // called once).
  std::uint64_t archive_bytes() const { return archive_bytes_; }
  std::string archive_sha256_hex() { return sha256_.finish_hex(); }

 private:
  ArchiveReader(std::istream& in, const ArchiveHeader& header);
  Status open_next_chunk();
  std::size_t read_raw(unsigned char* data, std::size_t size);
  Status end_of_archive();

  std::istream& in_;
  ArchiveHeader header_;
  HeaderBytes header_bytes_{};
  ZSTD_DCtx* zstd_ = nullptr;
  crypto_secretstream_xchacha20poly1305_state state_{};
  std::vector<unsigned char> sealed_;
  std::vector<unsigned char> plain_;
  std::size_t plain_size_ = 0;
  std::size_t plain_pos_ = 0;
  std::uint64_t chunks_ = 0;
  bool final_seen_ = false;
  std::size_t zstd_hint_ = 1;  // 0 once zstd has ended its frame and flushed everything
  std::uint64_t archive_bytes_ = 0;
  security::Sha256Stream sha256_;
};

}  // namespace oeuvre::backup
