#include "backup/archive_writer.h"

namespace oeuvre::backup {

namespace {

constexpr int kCompressionWorkers = 2;

constexpr std::size_t kLengthBytes = 4;

}  // namespace

ArchiveWriter::ArchiveWriter(std::ostream& out, std::uint32_t chunk_bytes)
    : out_(out), plain_(chunk_bytes), sealed_(chunk_bytes + crypto_secretstream_xchacha20poly1305_ABYTES) {}

ArchiveWriter::~ArchiveWriter() {
  ZSTD_freeCCtx(zstd_);
  sodium_memzero(&state_, sizeof state_);
}

Result<std::unique_ptr<ArchiveWriter>> ArchiveWriter::start(std::ostream& out, const BackupKey& key,
                                                            const ArchiveOptions& options) {
  if (sodium_init() < 0) return Error::Internal("libsodium could not be initialised");
  if (options.chunk_bytes == 0 || options.chunk_bytes > kMaxChunkBytes) {
    return Error::Internal("archive chunk size out of range");
  }
  auto writer = std::unique_ptr<ArchiveWriter>(new ArchiveWriter(out, options.chunk_bytes));
  writer->zstd_ = ZSTD_createCCtx();
  if (writer->zstd_ == nullptr) return Error::Internal("zstd could not be initialised");
  ZSTD_CCtx_setParameter(writer->zstd_, ZSTD_c_compressionLevel, options.compression_level);
  ZSTD_CCtx_setParameter(writer->zstd_, ZSTD_c_checksumFlag, 1);
  // Compression on two worker threads while this one encrypts and hashes (a libzstd built without
  // threads refuses the setting and compresses here: same format either way).
  ZSTD_CCtx_setParameter(writer->zstd_, ZSTD_c_nbWorkers, kCompressionWorkers);
  ArchiveHeader header;
  header.source_kind = options.source_kind;
  header.created_at = options.created_at;
  header.key_id = key.id();
  header.chunk_bytes = options.chunk_bytes;
  crypto_secretstream_xchacha20poly1305_init_push(&writer->state_, header.stream_header.data(), key.bytes().data());
  writer->header_bytes_ = encode_header(header);
  RETURN_IF_ERROR(writer->emit(writer->header_bytes_.data(), writer->header_bytes_.size()));
  return writer;
}

Status ArchiveWriter::write(std::string_view data) {
  payload_bytes_ += data.size();
  return compress(data, ZSTD_e_continue);
}

Status ArchiveWriter::finish() {
  RETURN_IF_ERROR(compress({}, ZSTD_e_end));
  RETURN_IF_ERROR(seal_chunk(crypto_secretstream_xchacha20poly1305_TAG_FINAL));
  out_.flush();
  if (!out_) return Error::Unavailable("cannot write the backup archive");
  return OkStatus();
}

// Feeds `data` to zstd; every time the chunk buffer fills, seals it as a message chunk. With
// ZSTD_e_end, runs until zstd has flushed the whole frame.
Status ArchiveWriter::compress(std::string_view data, ZSTD_EndDirective mode) {
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  while (true) {
    ZSTD_outBuffer out{plain_.data(), plain_.size(), plain_used_};
    const std::size_t remaining = ZSTD_compressStream2(zstd_, &out, &in, mode);
    if (ZSTD_isError(remaining)) return Error::Internal(std::string("zstd: ") + ZSTD_getErrorName(remaining));
    plain_used_ = out.pos;
    if (plain_used_ == plain_.size()) {
      RETURN_IF_ERROR(seal_chunk(crypto_secretstream_xchacha20poly1305_TAG_MESSAGE));
      continue;
    }
    const bool done = mode == ZSTD_e_end ? remaining == 0 : in.pos == in.size;
    if (done) return OkStatus();
  }
}

Status ArchiveWriter::seal_chunk(unsigned char tag) {
  const bool first = chunks_ == 0;
  unsigned long long sealed_size = 0;
  crypto_secretstream_xchacha20poly1305_push(&state_, sealed_.data(), &sealed_size, plain_.data(), plain_used_,
                                             first ? header_bytes_.data() : nullptr,
                                             first ? header_bytes_.size() : 0, tag);
  plain_used_ = 0;
  ++chunks_;
  std::array<unsigned char, kLengthBytes> length{};
  for (std::size_t i = 0; i < kLengthBytes; ++i) length[i] = static_cast<unsigned char>(sealed_size >> (8 * i));
  RETURN_IF_ERROR(emit(length.data(), length.size()));
  return emit(sealed_.data(), static_cast<std::size_t>(sealed_size));
}

Status ArchiveWriter::emit(const unsigned char* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out_) return Error::Unavailable("cannot write the backup archive");
  sha256_.update(bytes);
  archive_bytes_ += size;
  return OkStatus();
}

}  // namespace oeuvre::backup
