#include "security/secrets.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/config.h"
#include "core/private_files.h"
#include "security/crypto.h"

namespace oeuvre::security {

namespace {

class EnvironmentSecretSource final : public SecretSource {
 public:
  Result<std::optional<std::string>> get(const std::string& name) override { return read_setting(name); }
};

}  // namespace

std::unique_ptr<SecretSource> make_environment_secret_source() {
  return std::make_unique<EnvironmentSecretSource>();
}

Result<std::string> resolve_or_generate_secret(SecretSource& source, const std::string& name,
                                               const std::string& var_dir, const std::string& file_name,
                                               std::size_t bytes) {
  ASSIGN_OR_RETURN(std::optional<std::string> found, source.get(name));
  if (found) return std::move(*found);
  namespace fs = std::filesystem;
  RETURN_IF_ERROR(make_private_directory(var_dir));
  std::error_code ec;
  const fs::path path = fs::path(var_dir) / file_name;
  if (fs::exists(path, ec)) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    std::string value = content.str();
    if (!value.empty()) return value;
  }
  ASSIGN_OR_RETURN(const std::string value, random_token(bytes));
  const fs::path temp = path.string() + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return Error::Unavailable("cannot write " + temp.string());
  const bool written = ::write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size());
  ::fsync(fd);
  ::close(fd);
  if (!written) return Error::Unavailable("cannot write " + temp.string());
  fs::rename(temp, path, ec);
  if (ec) return Error::Unavailable("cannot write " + path.string() + ": " + ec.message());
  return value;
}

}  // namespace oeuvre::security
