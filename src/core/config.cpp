#include "core/config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace oeuvre {

std::optional<std::string> read_setting(const std::string& name) {
  if (const char* value = std::getenv(name.c_str()); value != nullptr) return std::string(value);
  const char* file = std::getenv((name + "_FILE").c_str());
  if (file == nullptr) return std::nullopt;
  return read_setting_file(file);
}

std::optional<std::string> read_setting_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  std::string text = content.str();
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  return text;
}

std::string backup_dir_of(const Config& config) {
  return config.backup_dir.empty() ? config.var_dir + "/backups" : config.backup_dir;
}

}  // namespace oeuvre
