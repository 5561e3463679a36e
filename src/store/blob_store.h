#pragma once
// Where uploaded files live, by key. Today a local directory; S3 arrives as a second implementation
// behind the same interface. Safe for concurrent use (distinct keys).

#include <memory>
#include <string>

#include "core/result.h"

namespace oeuvre::store {

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // Takes ownership of the local file at `source_path` (moved, not copied) under `key`.
  virtual Status adopt(const std::string& key, const std::string& source_path) = 0;
  // A local path to read the blob from. kNotFound when absent.
  virtual Result<std::string> local_path(const std::string& key) = 0;
  // Removes the blob; absent is not an error.
  virtual Status remove(const std::string& key) = 0;
};

// Blobs as files under `root` (keys are relative paths of [a-z0-9/-] only).
std::unique_ptr<BlobStore> make_directory_blob_store(std::string root);

}  // namespace oeuvre::store
