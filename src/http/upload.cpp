#include "http/upload.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>

#include "core/utf8.h"
#include "core/uuid.h"

namespace oeuvre::http {

// The stored size of an upload's file and whether it is complete, shared by the FileSink that
// writes it and the readers that follow it. Thread-safe.
class UploadFeed {
 public:
  enum class State { kArriving, kComplete, kAbandoned };

  explicit UploadFeed(std::string path) : path_(std::move(path)) {}
  const std::string& path() const { return path_; }

  void stored(std::uint64_t size) {
    {
      std::lock_guard lock(mu_);
      size_ = size;
    }
    changed_.notify_all();
  }
  void end(State state) {
    {
      std::lock_guard lock(mu_);
      if (state_ == State::kArriving) state_ = state;
    }
    changed_.notify_all();
  }
  // Waits until more than `offset` bytes are stored or the upload has ended; the size stored and
  // the state then.
  std::pair<std::uint64_t, State> wait_beyond(std::uint64_t offset) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return size_ > offset || state_ != State::kArriving; });
    return {size_, state_};
  }

 private:
  const std::string path_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::uint64_t size_ = 0;
  State state_ = State::kArriving;
};

namespace {

// Reads an upload's file as far as it is stored, waiting for more (UploadReceiver::follow).
class FollowingSource final : public csv::ByteSource {
 public:
  FollowingSource(std::shared_ptr<UploadFeed> feed, int fd) : feed_(std::move(feed)), fd_(fd) {}
  ~FollowingSource() override { ::close(fd_); }
  FollowingSource(const FollowingSource&) = delete;
  FollowingSource& operator=(const FollowingSource&) = delete;

  Result<std::size_t> read(char* destination, std::size_t capacity) override {
    if (capacity == 0) return std::size_t{0};
    const auto [stored, state] = feed_->wait_beyond(offset_);
    if (stored <= offset_) {
      if (state == UploadFeed::State::kComplete) return std::size_t{0};
      return Error::Unavailable("the upload ended before its body was complete");
    }
    const auto wanted = static_cast<std::size_t>(std::min<std::uint64_t>(capacity, stored - offset_));
    for (;;) {
      const ssize_t n = ::pread(fd_, destination, wanted, static_cast<off_t>(offset_));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Error::Unavailable(std::string("cannot read the upload: ") + std::strerror(errno));
      offset_ += static_cast<std::uint64_t>(n);
      return static_cast<std::size_t>(n);
    }
  }

 private:
  std::shared_ptr<UploadFeed> feed_;
  const int fd_;
  std::uint64_t offset_ = 0;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of parameter `name` in a header value like `form-data; name="file"; filename="a.csv"`.
std::string header_parameter(std::string_view value, std::string_view name) {
  std::size_t pos = value.find(';');
  while (pos != std::string_view::npos) {
    std::string_view rest = value.substr(pos + 1);
    const std::size_t next = rest.find(';');
    std::string_view param = trim(rest.substr(0, next));
    const std::size_t eq = param.find('=');
    if (eq != std::string_view::npos && ascii_lowercase(trim(param.substr(0, eq))) == name) {
      std::string_view v = trim(param.substr(eq + 1));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return std::string(v);
    }
    pos = next == std::string_view::npos ? next : pos + 1 + next;
  }
  return {};
}

// Appends to a temporary file while hashing and counting.
class FileSink {
 public:
  static Result<FileSink> create(const std::string& dir, std::uint64_t max_bytes) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Error::Unavailable("cannot create the upload folder: " + ec.message());
    std::string path = (std::filesystem::path(dir) / ("upload-" + Uuid::generate_v4().to_string() + ".part")).string();
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Error::Unavailable(std::string("cannot create an upload file: ") + std::strerror(errno));
    return FileSink(std::move(path), fd, max_bytes);
  }
  FileSink(FileSink&& o) noexcept
      : path_(std::move(o.path_)), fd_(std::exchange(o.fd_, -1)), max_bytes_(o.max_bytes_), size_(o.size_),
        hasher_(std::move(o.hasher_)), feed_(std::move(o.feed_)) {}
  ~FileSink() {
    if (feed_) feed_->end(UploadFeed::State::kAbandoned);  // no effect after finish()
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());  // only when not handed over by finish()
  }

  const std::shared_ptr<UploadFeed>& feed() const { return feed_; }

  Status write(std::string_view data) {
    if (data.size() > max_bytes_ - size_) {
      return Error(ErrorCode::kPayloadTooLarge, "the upload exceeds " + std::to_string(max_bytes_) + " bytes");
    }
    hasher_->update(data);
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Error::Unavailable(std::string("cannot write the upload: ") + std::strerror(errno));
      }
      data.remove_prefix(static_cast<std::size_t>(n));
      size_ += static_cast<std::uint64_t>(n);
    }
    feed_->stored(size_);
    return OkStatus();
  }

  Result<std::shared_ptr<UploadedFile>> finish(std::string filename, std::string content_type) {
    if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
      fd_ = -1;
      return Error::Unavailable(std::string("cannot store the upload: ") + std::strerror(errno));
    }
    fd_ = -1;
    feed_->end(UploadFeed::State::kComplete);
    auto file = std::make_shared<UploadedFile>(std::exchange(path_, std::string()), size_, hasher_->finish_hex(),
                                               std::move(filename), std::move(content_type));
    return file;
  }

 private:
  FileSink(std::string path, int fd, std::uint64_t max_bytes)
      : path_(std::move(path)), fd_(fd), max_bytes_(max_bytes), hasher_(std::make_unique<security::Sha256Stream>()),
        feed_(std::make_shared<UploadFeed>(path_)) {}

  std::string path_;
  int fd_;
  std::uint64_t max_bytes_;
  std::uint64_t size_ = 0;
  std::unique_ptr<security::Sha256Stream> hasher_;
  std::shared_ptr<UploadFeed> feed_;
};

class RawReceiver final : public UploadReceiver {
 public:
  RawReceiver(FileSink sink, std::string content_type)
      : UploadReceiver(sink.feed()), sink_(std::move(sink)), content_type_(std::move(content_type)) {}
  Status write(std::string_view chunk) override { return sink_.write(chunk); }
  Result<std::shared_ptr<UploadedFile>> finish() override { return sink_.finish("", content_type_); }

 private:
  FileSink sink_;
  std::string content_type_;
};

// RFC 7578 multipart/form-data, streamed: keeps the first part that carries a filename (or is named
// "file"); other parts are skipped. Part headers are bounded; the body of the file part is never held.
class MultipartReceiver final : public UploadReceiver {
 public:
  MultipartReceiver(FileSink sink, const std::string& boundary)
      : UploadReceiver(sink.feed()),
        sink_(std::move(sink)),
        first_delimiter_("--" + boundary),
        delimiter_("\r\n--" + boundary) {}

  Status write(std::string_view chunk) override {
    buffer_.append(chunk);
    return consume(false);
  }

  Result<std::shared_ptr<UploadedFile>> finish() override {
    RETURN_IF_ERROR(consume(true));
    if (state_ != State::kEpilogue) return Error::BadRequest("the multipart body ended before its closing boundary");
    if (!found_file_) return Error::BadRequest("the multipart body has no file part (a part with a filename)");
    return sink_.finish(filename_, part_content_type_);
  }

 private:
  enum class State { kPreamble, kAfterBoundary, kHeaders, kBody, kEpilogue };
  static constexpr std::size_t kMaxPartHeaderBytes = 16 * 1024;
  static constexpr std::size_t kMaxPreambleBytes = 64 * 1024;

  Status consume(bool at_end) {
    for (;;) {
      switch (state_) {
        case State::kPreamble: {
          const std::size_t pos = buffer_.find(first_delimiter_);
          if (pos == std::string::npos) {
            if (buffer_.size() > kMaxPreambleBytes) return Error::BadRequest("no multipart boundary found");
            return OkStatus();
          }
          buffer_.erase(0, pos + first_delimiter_.size());
          state_ = State::kAfterBoundary;
          break;
        }
        case State::kAfterBoundary: {
          if (buffer_.size() < 2) return OkStatus();
          if (buffer_.compare(0, 2, "--") == 0) {
            state_ = State::kEpilogue;
            break;
          }
          // Transport padding (spaces/tabs) may follow a boundary before its CRLF.
          const std::size_t crlf = buffer_.find("\r\n");
          if (crlf == std::string::npos) {
            if (buffer_.size() > 256) return Error::BadRequest("malformed multipart boundary line");
            return OkStatus();
          }
          buffer_.erase(0, crlf + 2);
          state_ = State::kHeaders;
          break;
        }
        case State::kHeaders: {
          const std::size_t end = buffer_.find("\r\n\r\n");
          if (end == std::string::npos) {
            if (buffer_.size() > kMaxPartHeaderBytes) return Error::BadRequest("multipart part headers are too large");
            if (at_end) return Error::BadRequest("the multipart body ended inside part headers");
            return OkStatus();
          }
          start_part(std::string_view(buffer_).substr(0, end));
          buffer_.erase(0, end + 4);
          state_ = State::kBody;
          break;
        }
        case State::kBody: {
          const std::size_t pos = buffer_.find(delimiter_);
          if (pos == std::string::npos) {
            // Everything but a tail that could be the start of the delimiter is part content.
            const std::size_t keep = std::min(buffer_.size(), delimiter_.size() - 1);
            const std::size_t emit = buffer_.size() - keep;
            if (emit > 0) {
              if (keeping_) RETURN_IF_ERROR(sink_.write(std::string_view(buffer_).substr(0, emit)));
              buffer_.erase(0, emit);
            }
            return OkStatus();
          }
          if (keeping_) RETURN_IF_ERROR(sink_.write(std::string_view(buffer_).substr(0, pos)));
          buffer_.erase(0, pos + delimiter_.size());
          if (keeping_) {
            keeping_ = false;
            found_file_ = true;
          }
          state_ = State::kAfterBoundary;
          break;
        }
        case State::kEpilogue:
          buffer_.clear();
          return OkStatus();
      }
    }
  }

  void start_part(std::string_view headers) {
    std::string disposition, type;
    std::size_t start = 0;
    while (start < headers.size()) {
      std::size_t end = headers.find("\r\n", start);
      if (end == std::string_view::npos) end = headers.size();
      std::string_view line = headers.substr(start, end - start);
      const std::size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        const std::string name = ascii_lowercase(trim(line.substr(0, colon)));
        if (name == "content-disposition") disposition = std::string(trim(line.substr(colon + 1)));
        if (name == "content-type") type = std::string(trim(line.substr(colon + 1)));
      }
      start = end + 2;
    }
    const std::string filename = header_parameter(disposition, "filename");
    const bool is_file = !filename.empty() || header_parameter(disposition, "name") == "file";
    keeping_ = is_file && !found_file_;
    if (keeping_) {
      // Not cut here: a cut could split a character; the route checks the name, the service cuts it.
      filename_ = std::filesystem::path(filename).filename().string();
      part_content_type_ = type.substr(0, 255);
    }
  }

  FileSink sink_;
  const std::string first_delimiter_;
  const std::string delimiter_;
  State state_ = State::kPreamble;
  std::string buffer_;  // bounded: at most one chunk plus a delimiter's length (or the header bound)
  bool keeping_ = false;
  bool found_file_ = false;
  std::string filename_;
  std::string part_content_type_;
};

}  // namespace

UploadedFile::UploadedFile(std::string path, std::uint64_t size, std::string sha256_hex, std::string filename,
                           std::string content_type)
    : path_(std::move(path)),
      size_(size),
      sha256_hex_(std::move(sha256_hex)),
      filename_(std::move(filename)),
      content_type_(std::move(content_type)) {}

UploadedFile::~UploadedFile() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

Status UploadedFile::move_to(const std::string& destination) {
  std::error_code ec;
  const auto parent = std::filesystem::path(destination).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  std::filesystem::rename(path_, destination, ec);
  if (ec) return Error::Unavailable("cannot store the upload: " + ec.message());
  path_.clear();
  return OkStatus();
}

std::string multipart_boundary(std::string_view content_type) {
  const std::size_t semi = content_type.find(';');
  if (ascii_lowercase(trim(content_type.substr(0, semi))) != "multipart/form-data") return {};
  std::string boundary = header_parameter(content_type, "boundary");
  if (boundary.empty() || boundary.size() > 70) return {};
  return boundary;
}

UploadReceiver::~UploadReceiver() {
  // The derived receiver's FileSink is gone: the feed says the upload ended (abandoned unless
  // finish() stored it), so work still reading it stops before it is dropped here.
  if (feed_) feed_->end(UploadFeed::State::kAbandoned);
  work_.reset();
}

Result<std::unique_ptr<csv::ByteSource>> UploadReceiver::follow() const {
  const int fd = ::open(feed_->path().c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::Unavailable(std::string("cannot read the upload: ") + std::strerror(errno));
  return std::unique_ptr<csv::ByteSource>(std::make_unique<FollowingSource>(feed_, fd));
}

Result<std::unique_ptr<UploadReceiver>> UploadReceiver::open(const std::string& dir, std::string_view content_type,
                                                             std::uint64_t max_bytes) {
  const std::size_t semi = content_type.find(';');
  const std::string media = ascii_lowercase(trim(content_type.substr(0, semi)));
  if (media == "multipart/form-data") {
    const std::string boundary = multipart_boundary(content_type);
    if (boundary.empty()) return Error::BadRequest("multipart/form-data needs a boundary parameter of 1 to 70 characters");
    ASSIGN_OR_RETURN(FileSink sink, FileSink::create(dir, max_bytes));
    return std::unique_ptr<UploadReceiver>(std::make_unique<MultipartReceiver>(std::move(sink), boundary));
  }
  ASSIGN_OR_RETURN(FileSink sink, FileSink::create(dir, max_bytes));
  return std::unique_ptr<UploadReceiver>(std::make_unique<RawReceiver>(std::move(sink), media));
}

}  // namespace oeuvre::http
