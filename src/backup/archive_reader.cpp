#include "backup/archive_reader.h"

namespace oeuvre::backup {

namespace {

constexpr std::size_t kLengthBytes = 4;

Error truncated() {
  return Error::BadRequest("the archive is truncated: it ends before its final chunk");
}

}  // namespace

ArchiveReader::ArchiveReader(std::istream& in, const ArchiveHeader& header)
    : in_(in),
      header_(header),
      sealed_(header.chunk_bytes + crypto_secretstream_xchacha20poly1305_ABYTES),
      plain_(header.chunk_bytes) {}

ArchiveReader::~ArchiveReader() {
  ZSTD_freeDCtx(zstd_);
  sodium_memzero(&state_, sizeof state_);
}

Result<std::unique_ptr<ArchiveReader>> ArchiveReader::open(std::istream& in, const BackupKey& key) {
  if (sodium_init() < 0) return Error::Internal("libsodium could not be initialised");
  HeaderBytes bytes{};
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (static_cast<std::size_t>(in.gcount()) != bytes.size()) {
    return Error::BadRequest("not an Œuvre backup archive (shorter than its header)");
  }
  ASSIGN_OR_RETURN(ArchiveHeader header, decode_header(bytes));
  if (header.key_id != key.id()) {
    BackupKey::Id id = header.key_id;
    return Error::BadRequest(
        "wrong key: the archive was written with key id " +
        security::hex_encode(std::string_view(reinterpret_cast<const char*>(id.data()), id.size())) +
        ", BACKUP_ENCRYPTION_KEY has key id " + key.id_hex());
  }
  auto reader = std::unique_ptr<ArchiveReader>(new ArchiveReader(in, header));
  reader->header_bytes_ = bytes;
  reader->archive_bytes_ = bytes.size();
  reader->sha256_.update(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  if (crypto_secretstream_xchacha20poly1305_init_pull(&reader->state_, header.stream_header.data(),
                                                      key.bytes().data()) != 0) {
    return Error::BadRequest("the archive header is damaged (invalid stream header)");
  }
  reader->zstd_ = ZSTD_createDCtx();
  if (reader->zstd_ == nullptr) return Error::Internal("zstd could not be initialised");
  return reader;
}

Result<std::size_t> ArchiveReader::read(std::span<char> out) {
  while (true) {
    ZSTD_outBuffer o{out.data(), out.size(), 0};
    ZSTD_inBuffer i{plain_.data(), plain_size_, plain_pos_};
    const std::size_t hint = ZSTD_decompressStream(zstd_, &o, &i);
    if (ZSTD_isError(hint)) {
      return Error::BadRequest(std::string("the archive's compressed stream is damaged: ") + ZSTD_getErrorName(hint));
    }
    // A call that neither took input nor gave output says nothing about the frame (after a frame's
    // end zstd already waits for the next one's header).
    if (i.pos != plain_pos_ || o.pos > 0) zstd_hint_ = hint;
    plain_pos_ = i.pos;
    if (o.pos > 0) return o.pos;
    if (plain_pos_ < plain_size_) continue;
    if (final_seen_) {
      RETURN_IF_ERROR(end_of_archive());
      return std::size_t{0};
    }
    RETURN_IF_ERROR(open_next_chunk());
  }
}

Status ArchiveReader::read_exact(std::span<char> out) {
  std::size_t filled = 0;
  while (filled < out.size()) {
    ASSIGN_OR_RETURN(std::size_t n, read(out.subspan(filled)));
    if (n == 0) return Error::BadRequest("the archive's payload ends in the middle of an entry");
    filled += n;
  }
  return OkStatus();
}

Status ArchiveReader::end_of_archive() {
  if (zstd_hint_ != 0) return Error::BadRequest("the archive's compressed stream does not end (damaged archive)");
  return OkStatus();
}

std::size_t ArchiveReader::read_raw(unsigned char* data, std::size_t size) {
  in_.read(reinterpret_cast<char*>(data), static_cast<std::streamsize>(size));
  const auto got = static_cast<std::size_t>(in_.gcount());
  sha256_.update(std::string_view(reinterpret_cast<const char*>(data), got));
  archive_bytes_ += got;
  return got;
}

Status ArchiveReader::open_next_chunk() {
  std::array<unsigned char, kLengthBytes> length_bytes{};
  if (read_raw(length_bytes.data(), length_bytes.size()) != length_bytes.size()) return truncated();
  std::size_t length = 0;
  for (std::size_t i = 0; i < kLengthBytes; ++i) length |= std::size_t{length_bytes[i]} << (8 * i);
  const std::string chunk_name = "chunk " + std::to_string(chunks_ + 1);
  if (length < crypto_secretstream_xchacha20poly1305_ABYTES || length > sealed_.size()) {
    return Error::BadRequest(chunk_name + " has an impossible length: the archive is damaged");
  }
  if (read_raw(sealed_.data(), length) != length) return truncated();
  const bool first = chunks_ == 0;
  unsigned long long plain_size = 0;
  unsigned char tag = 0;
  if (crypto_secretstream_xchacha20poly1305_pull(&state_, plain_.data(), &plain_size, &tag, sealed_.data(), length,
                                                 first ? header_bytes_.data() : nullptr,
                                                 first ? header_bytes_.size() : 0) != 0) {
    return Error::BadRequest(chunk_name + " fails authentication: the archive was changed, its chunks " +
                             "reordered or cut, or it was written with another key");
  }
  ++chunks_;
  plain_size_ = static_cast<std::size_t>(plain_size);
  plain_pos_ = 0;
  if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
    final_seen_ = true;
    if (in_.peek() != std::char_traits<char>::eof()) {
      return Error::BadRequest("the archive has bytes after its final chunk: it is damaged");
    }
    in_.clear();
  }
  return OkStatus();
}

}  // namespace oeuvre::backup
