#pragma once
// Request bodies that may be large (file uploads) are never held in memory: the server streams them
// into a temporary file, computing SHA-256 on the way. Raw bodies are stored as they are; for
// multipart/form-data only the first file part is kept, parsed as it streams. Work on the file can
// follow it while it is being stored (UploadReceiver::follow).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "csv/byte_source.h"
#include "security/crypto.h"

namespace oeuvre::http {

// A received body in a temporary file, removed when the last owner lets go unless it was moved away.
// Not safe for concurrent use.
class UploadedFile {
 public:
  UploadedFile(std::string path, std::uint64_t size, std::string sha256_hex, std::string filename,
               std::string content_type);
  ~UploadedFile();
  UploadedFile(const UploadedFile&) = delete;
  UploadedFile& operator=(const UploadedFile&) = delete;

  const std::string& path() const { return path_; }
  std::uint64_t size() const { return size_; }
  const std::string& sha256_hex() const { return sha256_hex_; }
  const std::string& filename() const { return filename_; }          // from multipart, else ""
  const std::string& content_type() const { return content_type_; }  // of the file itself

  // Renames the file to `destination` (same filesystem); it is then no longer removed.
  Status move_to(const std::string& destination);

 private:
  std::string path_;
  std::uint64_t size_;
  std::string sha256_hex_;
  std::string filename_;
  std::string content_type_;
};

// How much of an upload's file is stored, shared with the readers that follow it (upload.cpp).
class UploadFeed;

// Work a route starts on an upload before its body has all arrived (UploadReceiver::keep).
class UploadWork {
 public:
  virtual ~UploadWork() = default;
};

// Consumes a body chunk by chunk. Not safe for concurrent use, apart from the readers of follow().
class UploadReceiver {
 public:
  // `content_type` is the request's; `max_bytes` bounds the stored file. The temporary file is
  // created in `dir` (made when missing).
  static Result<std::unique_ptr<UploadReceiver>> open(const std::string& dir, std::string_view content_type,
                                                      std::uint64_t max_bytes);
  virtual ~UploadReceiver();
  // kPayloadTooLarge past max_bytes; kBadRequest for a malformed multipart body; kUnavailable when the
  // disk refuses.
  virtual Status write(std::string_view chunk) = 0;
  // The finished file. kBadRequest when a multipart body had no file part or ended early.
  virtual Result<std::shared_ptr<UploadedFile>> finish() = 0;

  // A reader of the file being stored that follows the body as it arrives, for work that need not
  // wait for all of it (reading a bank statement's balances): a read waits for bytes not stored
  // yet, returns 0 once finish() has stored the whole file, and fails (kUnavailable) when the
  // upload ends without it (refused, cut off, dropped). Safe to use on another thread.
  Result<std::unique_ptr<csv::ByteSource>> follow() const;
  // Keeps work started on follow()'s readers with the upload, for its handler to take. Work not
  // taken is dropped with the receiver, after its readers have been told the upload ended.
  void keep(std::shared_ptr<UploadWork> work) { work_ = std::move(work); }
  std::shared_ptr<UploadWork> take_work() { return std::move(work_); }

 protected:
  explicit UploadReceiver(std::shared_ptr<UploadFeed> feed) : feed_(std::move(feed)) {}

 private:
  std::shared_ptr<UploadFeed> feed_;
  std::shared_ptr<UploadWork> work_;
};

// The boundary parameter of a multipart/form-data content type, or "" when absent or invalid.
std::string multipart_boundary(std::string_view content_type);

}  // namespace oeuvre::http
