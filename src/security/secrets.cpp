#include "security/secrets.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "core/config.h"
#include "core/private_files.h"
#include "core/uri_encoding.h"
#include "observability/log.h"
#include "security/crypto.h"

namespace oeuvre::security {

namespace {

namespace json = boost::json;

std::optional<std::string> environment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

Result<std::string> read_secret_file(const std::string& name, const std::string& path) {
  std::optional<std::string> text = read_setting_file(path);
  if (!text) return Error::Validation(name + "_FILE", "cannot read " + path);
  return std::move(*text);
}

// The file-and-environment part of the chain; `warned` remembers files already warned about.
Result<std::optional<std::string>> get_local(const std::string& name, std::set<std::string>* warned,
                                             std::mutex* mutex) {
  const std::optional<std::string> value = environment(name);
  const std::optional<std::string> file = environment(name + "_FILE");
  if (value && file) return Error::Validation(name, "is set both directly and as " + name + "_FILE: set one");
  if (file) {
    struct stat st {};
    if (::stat(file->c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
      bool first = true;
      if (warned != nullptr) {
        std::lock_guard lock(*mutex);
        first = warned->insert(*file).second;
      }
      if (first) {
        obs::log_warn("a secret file can be read by other users: chmod 600 it",
                      {{"setting", name + "_FILE"}, {"path", *file}});
      }
    }
    ASSIGN_OR_RETURN(std::string text, read_secret_file(name, *file));
    return std::optional<std::string>(std::move(text));
  }
  return value;
}

class EnvironmentSecretSource final : public SecretSource {
 public:
  Result<std::optional<std::string>> get(const std::string& name) override {
    return get_local(name, nullptr, nullptr);
  }
};

std::optional<std::string> text_member(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64()) return std::to_string(v->get_int64());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  return std::nullopt;
}

}  // namespace

Result<std::string> select_secret_value(const std::string& name, const std::string& stored,
                                        const std::string& json_key) {
  const bool rds_url = json_key.empty() && name == "DATABASE_URL" && stored.starts_with("{");
  if (json_key.empty() && !rds_url) return stored;
  boost::system::error_code ec;
  json::parse_options limits;
  limits.max_depth = 8;
  const json::value parsed = stored.size() <= 64 * 1024 ? json::parse(stored, ec, {}, limits) : json::value();
  if (ec || !parsed.is_object()) {
    return Error::Validation(name + "_NAME", "names a secret that is not a JSON object, so it has no key " + json_key);
  }
  const json::object& object = parsed.get_object();
  if (!rds_url) {
    std::optional<std::string> value = text_member(object, json_key);
    if (!value) return Error::Validation(name + "_NAME", "names a JSON secret without a string key " + json_key);
    return std::move(*value);
  }
  const auto user = text_member(object, "username");
  const auto password = text_member(object, "password");
  const auto host = text_member(object, "host");
  if (!user || !password || !host) {
    return Error::Validation(name + "_NAME",
                             "names a JSON secret without username, password and host (an RDS-style secret)");
  }
  const std::string engine = text_member(object, "engine").value_or("postgres");
  if (engine != "postgres" && engine != "postgresql" && engine != "aurora-postgresql") {
    return Error::Validation(name + "_NAME", "names a secret for the engine " + engine + ", not PostgreSQL");
  }
  std::string url = "postgres://" + uri_encode(*user, false) + ":" + uri_encode(*password, false) + "@" + *host;
  if (auto port = text_member(object, "port")) url += ":" + *port;
  url += "/" + uri_encode(text_member(object, "dbname").value_or("postgres"), false);
  return url;
}

SecretChain::SecretChain(std::unique_ptr<RemoteSecretStore> remote, SecretChainOptions options)
    : remote_(std::move(remote)), options_(std::move(options)) {}

SecretChain::~SecretChain() { stop(); }

void SecretChain::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (refresher_.joinable()) refresher_.join();
}

Result<std::optional<std::string>> SecretChain::get(const std::string& name) {
  if (remote_) {
    if (std::optional<std::string> reference = environment(name + "_NAME")) {
      return get_remote(name, *reference, kCurrentStage, false);
    }
  }
  return get_local(name, &warned_files_, &mutex_);
}

Result<std::optional<std::string>> SecretChain::get_stage(const std::string& name, const std::string& stage) {
  const std::optional<std::string> reference = environment(name + "_NAME");
  if (!remote_ || !reference) return std::optional<std::string>();
  auto value = get_remote(name, *reference, stage, false);
  if (!value.ok() && value.error().code() == ErrorCode::kNotFound) return std::optional<std::string>();
  return value;
}

Result<std::optional<std::string>> SecretChain::get_fresh(const std::string& name) {
  if (remote_) {
    if (std::optional<std::string> reference = environment(name + "_NAME")) {
      return get_remote(name, *reference, kCurrentStage, true);
    }
  }
  return get_local(name, &warned_files_, &mutex_);
}

Result<std::optional<std::string>> SecretChain::get_remote(const std::string& name, const std::string& reference,
                                                           const std::string& stage, bool fresh) {
  const auto hash = reference.find('#');
  const std::string secret_id = reference.substr(0, hash);
  const std::string json_key = hash == std::string::npos ? "" : reference.substr(hash + 1);
  if (secret_id.empty()) return Error::Validation(name + "_NAME", "is empty");
  const Key key{secret_id, stage};
  if (!fresh) {
    std::lock_guard lock(mutex_);
    if (auto found = cache_.find(key); found != cache_.end()) {
      ASSIGN_OR_RETURN(std::string value, select_secret_value(name, found->second.value.reveal(), json_key));
      return std::optional<std::string>(std::move(value));
    }
  }
  auto fetched = remote_->fetch(secret_id, stage);
  if (!fetched.ok()) {
    const Error& e = fetched.error();
    return Error(e.code(), name + " from " + remote_->describe() + " secret " + secret_id + " (" + stage +
                               "): " + e.message());
  }
  ASSIGN_OR_RETURN(std::string value, select_secret_value(name, *fetched, json_key));
  {
    std::lock_guard lock(mutex_);
    Entry& entry = cache_[key];
    entry.name = name;
    entry.secret_id = secret_id;
    entry.stage = stage;
    entry.value = Secret(std::move(fetched).value());
    entry.next_refresh = std::chrono::steady_clock::now() + options_.ttl;
    entry.failures = 0;
    if (!refresher_.joinable()) refresher_ = std::thread([this] { refresh_loop(); });
  }
  return std::optional<std::string>(std::move(value));
}

std::chrono::steady_clock::time_point SecretChain::next_after_failure(int failures) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  auto backoff = options_.first_backoff * (1LL << std::min(failures - 1, 20));
  backoff = std::min<std::chrono::milliseconds>(backoff, options_.ttl);
  std::uniform_int_distribution<long long> jitter(backoff.count() / 2, backoff.count());
  return std::chrono::steady_clock::now() + std::chrono::milliseconds(jitter(random));
}

void SecretChain::refresh_loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    // The entry due first.
    auto due = cache_.end();
    for (auto it = cache_.begin(); it != cache_.end(); ++it) {
      if (due == cache_.end() || it->second.next_refresh < due->second.next_refresh) due = it;
    }
    if (due == cache_.end() || due->second.next_refresh > std::chrono::steady_clock::now()) {
      const auto until = due == cache_.end() ? std::chrono::steady_clock::now() + options_.ttl : due->second.next_refresh;
      wake_.wait_until(lock, until, [this] { return stopping_; });
      continue;
    }
    const Key key = due->first;
    const std::string name = due->second.name;
    lock.unlock();
    auto fetched = remote_->fetch(key.first, key.second);
    bool changed = false;
    lock.lock();
    Entry& entry = cache_[key];
    if (fetched.ok()) {
      changed = !(entry.value == Secret(*fetched));
      entry.value = Secret(std::move(fetched).value());
      entry.failures = 0;
      entry.next_refresh = std::chrono::steady_clock::now() + options_.ttl;
    } else if (fetched.error().code() == ErrorCode::kNotFound && key.second != kCurrentStage) {
      // A stage that went away (no AWSPREVIOUS any more): forget it.
      cache_.erase(key);
      changed = true;
    } else {
      ++entry.failures;
      entry.next_refresh = next_after_failure(entry.failures);
      obs::log_outgoing_error("secretsmanager", "GetSecretValue", fetched.error().message(),
                              {{"secret", name}, {"secret_id", key.first}, {"stage", key.second},
                               {"failures", entry.failures}, {"consequence", "the last good value stays in use"}});
    }
    const bool failed = !fetched.ok() && !(fetched.error().code() == ErrorCode::kNotFound && key.second != kCurrentStage);
    lock.unlock();
    if (failed && options_.on_refresh_failure) options_.on_refresh_failure(name);
    if (changed) {
      obs::log_info("secret rotated", {{"secret", name}, {"secret_id", key.first}, {"stage", key.second}});
      if (options_.on_change) options_.on_change(name);
    }
    lock.lock();
  }
}

std::string SecretChain::source_of(const std::string& name) const {
  if (remote_) {
    if (std::optional<std::string> reference = environment(name + "_NAME")) {
      return remote_->describe() + " " + *reference;
    }
  }
  if (std::optional<std::string> file = environment(name + "_FILE")) return "file " + *file;
  if (environment(name)) return "environment";
  return "";
}

std::string SecretChain::places_for(const std::string& name) const {
  std::string places;
  if (remote_) places = remote_->describe() + " (" + name + "_NAME), ";
  return places + "the file named by " + name + "_FILE, the environment variable " + name;
}

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
