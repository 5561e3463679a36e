#pragma once
// Structured logs: one JSON object per line on stderr, each carrying the request id of the request the
// current thread is serving (if any). Safe for concurrent use.

#include <boost/json.hpp>
#include <string>
#include <string_view>

namespace oeuvre::obs {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Sets the minimum level ("debug", "info", "warn", "error"; unknown names mean "info").
void init_logging(std::string_view level);

// Binds a request id to this thread for the scope's lifetime (restores the previous one after).
class RequestLogScope {
 public:
  explicit RequestLogScope(std::string_view request_id);
  ~RequestLogScope();
  RequestLogScope(const RequestLogScope&) = delete;
  RequestLogScope& operator=(const RequestLogScope&) = delete;

 private:
  std::string previous_;
};

// The request id bound to this thread, or "".
std::string_view current_request_id();

// Writes {"ts","level","msg","request_id",...fields}. Never pass secrets in fields.
void log(LogLevel level, std::string_view message, boost::json::object fields = {});
inline void log_info(std::string_view m, boost::json::object f = {}) { log(LogLevel::kInfo, m, std::move(f)); }
inline void log_warn(std::string_view m, boost::json::object f = {}) { log(LogLevel::kWarn, m, std::move(f)); }
inline void log_error(std::string_view m, boost::json::object f = {}) { log(LogLevel::kError, m, std::move(f)); }

}  // namespace oeuvre::obs
