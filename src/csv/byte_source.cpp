#include "csv/byte_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace oeuvre::csv {

Result<std::unique_ptr<FileByteSource>> FileByteSource::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string message = "cannot open '" + path + "': " + std::strerror(err);
    if (err == ENOENT) return Error::NotFound(std::move(message));
    return Error::BadRequest(std::move(message));
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || S_ISDIR(info.st_mode)) {
    ::close(fd);
    return Error::BadRequest("'" + path + "' is not a readable file");
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::size_t size = S_ISREG(info.st_mode) ? static_cast<std::size_t>(info.st_size) : 0;
  return std::unique_ptr<FileByteSource>(new FileByteSource(fd, path, size));
}

FileByteSource::~FileByteSource() { ::close(fd_); }

Result<std::size_t> FileByteSource::read(char* destination, std::size_t capacity) {
  for (;;) {
    ssize_t n = ::read(fd_, destination, capacity);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    return Error::BadRequest("cannot read '" + path_ + "': " + std::strerror(errno));
  }
}

Result<std::size_t> MemoryByteSource::read(char* destination, std::size_t capacity) {
  std::size_t n = std::min(capacity, data_.size() - position_);
  if (n > 0) std::memcpy(destination, data_.data() + position_, n);
  position_ += n;
  return n;
}

Result<std::string> read_prefix(ByteSource& source, std::size_t max_bytes) {
  const std::size_t expected = source.size_hint() == 0 ? max_bytes : source.size_hint();
  std::string head(std::min(max_bytes, expected + 1), '\0');
  std::size_t filled = 0;
  while (filled < head.size()) {
    ASSIGN_OR_RETURN(std::size_t n, source.read(head.data() + filled, head.size() - filled));
    if (n == 0) break;
    filled += n;
  }
  head.resize(filled);
  return head;
}

}  // namespace oeuvre::csv
