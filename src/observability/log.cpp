#include "observability/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

#include "core/time.h"

namespace oeuvre::obs {

namespace {

const LogContext kNoContext{};
thread_local const LogContext* t_context = &kNoContext;
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

LogScope::LogScope(const LogContext& context) : previous_(t_context) { t_context = &context; }

LogScope::~LogScope() { t_context = previous_; }

const LogContext& current_log_context() { return *t_context; }

OwnedLogContext capture_log_context() {
  const LogContext& c = *t_context;
  return {std::string(c.request_id), std::string(c.trace_id), std::string(c.span_id)};
}

void log(LogLevel level, std::string_view message, boost::json::object fields) {
  if (static_cast<int>(level) < g_min_level.load(std::memory_order_relaxed)) return;
  boost::json::object line;
  line["ts"] = format_timestamp(now_utc());
  line["level"] = level_name(level);
  line["msg"] = message;
  const LogContext& c = *t_context;
  if (!c.request_id.empty()) line["request_id"] = c.request_id;
  if (!c.trace_id.empty()) line["trace_id"] = c.trace_id;
  if (!c.span_id.empty()) line["span_id"] = c.span_id;
  for (auto& [key, value] : fields) line[key] = std::move(value);
  const std::string text = boost::json::serialize(line);
  switch (level) {
    case LogLevel::kDebug: logger()->debug(text); break;
    case LogLevel::kInfo: logger()->info(text); break;
    case LogLevel::kWarn: logger()->warn(text); break;
    case LogLevel::kError: logger()->error(text); break;
  }
}

void log_outgoing_error(std::string_view service, std::string_view operation, std::string_view error,
                        boost::json::object fields) {
  fields["service"] = service;
  fields["operation"] = operation;
  fields["error"] = error;
  log(LogLevel::kWarn, "outgoing call failed", std::move(fields));
}

}  // namespace oeuvre::obs
