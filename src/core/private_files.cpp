#include "core/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace oeuvre {

namespace {

constexpr mode_t kGroupAndOthers = S_IRWXG | S_IRWXO;

Error refused(const std::string& what, const std::string& path) {
  return Error::Unavailable("cannot " + what + " " + path + ": " + std::strerror(errno));
}

// Takes group and others' permissions away from `path` when it has any.
Status tighten(const std::string& path, mode_t mode) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return refused("inspect", path);
  if ((info.st_mode & kGroupAndOthers) == 0) return OkStatus();
  if (::chmod(path.c_str(), mode) != 0) return refused("restrict", path);
  return OkStatus();
}

}  // namespace

Status make_private_directory(const std::string& dir) {
  std::filesystem::path built;
  for (const auto& part : std::filesystem::path(dir)) {
    built /= part;
    if (::mkdir(built.c_str(), 0700) != 0 && errno != EEXIST) return refused("create", built.string());
  }
  return tighten(dir, 0700);
}

Status make_private_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return refused("create", path);
  ::close(fd);
  return tighten(path, 0600);
}

Status restrict_existing_file(const std::string& path) {
  if (::access(path.c_str(), F_OK) != 0) return OkStatus();
  return tighten(path, 0600);
}

}  // namespace oeuvre
