#include "observability/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

#include "core/time.h"

namespace oeuvre::obs {

namespace {

thread_local std::string t_request_id;
std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};

std::shared_ptr<spdlog::logger> logger() {
  static std::shared_ptr<spdlog::logger> instance = [] {
    auto l = spdlog::stderr_logger_mt("oeuvre");
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);
    l->flush_on(spdlog::level::warn);
    return l;
  }();
  return instance;
}

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "info";
}

}  // namespace

void init_logging(std::string_view level) {
  LogLevel min = LogLevel::kInfo;
  if (level == "debug") min = LogLevel::kDebug;
  if (level == "warn") min = LogLevel::kWarn;
  if (level == "error") min = LogLevel::kError;
  g_min_level = static_cast<int>(min);
  logger();
}

RequestLogScope::RequestLogScope(std::string_view request_id) : previous_(std::move(t_request_id)) {
  t_request_id.assign(request_id);
}

RequestLogScope::~RequestLogScope() { t_request_id = std::move(previous_); }

std::string_view current_request_id() { return t_request_id; }

void log(LogLevel level, std::string_view message, boost::json::object fields) {
  if (static_cast<int>(level) < g_min_level.load(std::memory_order_relaxed)) return;
  boost::json::object line;
  line["ts"] = format_timestamp(now_utc());
  line["level"] = level_name(level);
  line["msg"] = message;
  if (!t_request_id.empty()) line["request_id"] = t_request_id;
  for (auto& [key, value] : fields) line[key] = std::move(value);
  const std::string text = boost::json::serialize(line);
  switch (level) {
    case LogLevel::kDebug: logger()->debug(text); break;
    case LogLevel::kInfo: logger()->info(text); break;
    case LogLevel::kWarn: logger()->warn(text); break;
    case LogLevel::kError: logger()->error(text); break;
  }
}

}  // namespace oeuvre::obs
