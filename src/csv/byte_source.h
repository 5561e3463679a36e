#pragma once
// ByteSource: where the CSV reader pulls bytes from (a file, a memory buffer, later an upload
// stream). Thread-safety: an instance needs external synchronisation; distinct instances are
// independent.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace oeuvre::csv {

// A pull-based stream of bytes.
class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // Copies up to `capacity` bytes into `destination` and returns how many were copied; 0 means the
  // end of the stream. REQUIRES: destination points at `capacity` writable bytes, capacity > 0.
  virtual Result<std::size_t> read(char* destination, std::size_t capacity) = 0;

  // Total size in bytes when known up front (a regular file), else 0. Used for progress only.
  virtual std::size_t size_hint() const { return 0; }
};

// Up to `max_bytes` from the start of `source` (all of it when shorter): the head by which a file's
// format is told. Fails as source.read() does.
Result<std::string> read_prefix(ByteSource& source, std::size_t max_bytes);

// Reads a file through read(2). The file is closed on destruction.
class FileByteSource final : public ByteSource {
 public:
  // Opens `path` for reading. Fails with kNotFound / kBadRequest and a message naming the path.
  static Result<std::unique_ptr<FileByteSource>> open(const std::string& path);

  ~FileByteSource() override;
  FileByteSource(const FileByteSource&) = delete;
  FileByteSource& operator=(const FileByteSource&) = delete;

  Result<std::size_t> read(char* destination, std::size_t capacity) override;
  std::size_t size_hint() const override { return size_; }

 private:
  FileByteSource(int fd, std::string path, std::size_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}

  int fd_;
  std::string path_;
  std::size_t size_;
};

// Serves bytes from a caller-owned buffer. REQUIRES: `data` outlives the source.
class MemoryByteSource final : public ByteSource {
 public:
  explicit MemoryByteSource(std::string_view data) : data_(data) {}
  Result<std::size_t> read(char* destination, std::size_t capacity) override;
  std::size_t size_hint() const override { return data_.size(); }

 private:
  std::string_view data_;
  std::size_t position_ = 0;
};

}  // namespace oeuvre::csv
