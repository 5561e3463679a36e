#include "store/blob_store.h"

#include <filesystem>

namespace oeuvre::store {

namespace {

bool valid_key(const std::string& key) {
  if (key.empty() || key.size() > 512 || key.front() == '/' || key.find("..") != std::string::npos) return false;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

class DirectoryBlobStore final : public BlobStore {
 public:
  explicit DirectoryBlobStore(std::string root) : root_(std::move(root)) {}

  Status adopt(const std::string& key, const std::string& source_path) override {
    if (!valid_key(key)) return Error::Internal("invalid blob key");
    const std::filesystem::path target = std::filesystem::path(root_) / key;
    std::error_code ec;
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) return Error::StoreFailure(StoreFault::kIoError, "cannot create " + target.parent_path().string() + ": " + ec.message());
    std::filesystem::rename(source_path, target, ec);
    if (ec) return Error::StoreFailure(StoreFault::kIoError, "cannot store the file: " + ec.message());
    return OkStatus();
  }

  Result<std::string> local_path(const std::string& key) override {
    if (!valid_key(key)) return Error::Internal("invalid blob key");
    const std::filesystem::path path = std::filesystem::path(root_) / key;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return Error::NotFound("the stored file is missing");
    return path.string();
  }

  Status remove(const std::string& key) override {
    if (!valid_key(key)) return Error::Internal("invalid blob key");
    std::error_code ec;
    std::filesystem::remove(std::filesystem::path(root_) / key, ec);
    if (ec) return Error::StoreFailure(StoreFault::kIoError, "cannot remove the stored file: " + ec.message());
    return OkStatus();
  }

 private:
  const std::string root_;
};

}  // namespace

std::unique_ptr<BlobStore> make_directory_blob_store(std::string root) {
  return std::make_unique<DirectoryBlobStore>(std::move(root));
}

}  // namespace oeuvre::store
