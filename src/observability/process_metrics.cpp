#include "observability/process_metrics.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace oeuvre::obs {

namespace {

std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// /proc/stat's "btime N": when the machine booted, as Unix time.
std::optional<double> boot_time() {
  std::istringstream lines(read_file("/proc/stat"));
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("btime ")) return std::stod(line.substr(6));
  }
  return std::nullopt;
}

std::optional<double> open_fds() {
  std::error_code ec;
  double count = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) {
    ++count;
  }
  if (ec) return std::nullopt;
  return count - 1;  // the iterator's own descriptor of /proc/self/fd
}

prometheus::MetricFamily family(const char* name, const char* help, prometheus::MetricType type, double value) {
  prometheus::ClientMetric metric;
  if (type == prometheus::MetricType::Counter) {
    metric.counter.value = value;
  } else {
    metric.gauge.value = value;
  }
  return {name, help, type, {metric}};
}

}  // namespace

ProcessStats parse_proc_stat(std::string_view stat, double page_size, double ticks_per_second,
                             double boot_time_seconds) {
  ProcessStats stats;
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields count from the last ')'.
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos || ticks_per_second <= 0) return stats;
  std::vector<double> fields;  // fields[0] is field 3 of proc(5) (state, read as 0)
  std::string_view rest = stat.substr(close + 1);
  while (!rest.empty()) {
    const auto start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const auto end = std::min(rest.find_first_of(" \n"), rest.size());
    double value = 0;
    std::from_chars(rest.data(), rest.data() + end, value);
    fields.push_back(value);
    rest.remove_prefix(end);
  }
  // proc(5) numbers fields from 1: utime 14, stime 15, starttime 22, vsize 23, rss 24.
  auto field = [&](std::size_t n) { return fields.at(n - 3); };
  if (fields.size() < 24 - 2) return stats;
  stats.cpu_seconds = (field(14) + field(15)) / ticks_per_second;
  stats.start_time_seconds = boot_time_seconds + field(22) / ticks_per_second;
  stats.virtual_memory_bytes = field(23);
  stats.resident_memory_bytes = field(24) * page_size;
  return stats;
}

ProcessStats read_process_stats() {
  const std::optional<double> booted = boot_time();
  ProcessStats stats = parse_proc_stat(read_file("/proc/self/stat"), static_cast<double>(::sysconf(_SC_PAGESIZE)),
                                       static_cast<double>(::sysconf(_SC_CLK_TCK)), booted.value_or(0));
  if (!booted) stats.start_time_seconds.reset();
  stats.open_fds = open_fds();
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    stats.max_fds = static_cast<double>(limit.rlim_cur);
  }
  return stats;
}

void append_process_metrics(const ProcessStats& stats, std::vector<prometheus::MetricFamily>& families) {
  using prometheus::MetricType;
  auto add = [&](const std::optional<double>& value, const char* name, const char* help, MetricType type) {
    if (value) families.push_back(family(name, help, type, *value));
  };
  add(stats.cpu_seconds, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds",
      MetricType::Counter);
  add(stats.open_fds, "process_open_fds", "Number of open file descriptors", MetricType::Gauge);
  add(stats.max_fds, "process_max_fds", "Maximum number of open file descriptors", MetricType::Gauge);
  add(stats.virtual_memory_bytes, "process_virtual_memory_bytes", "Virtual memory size in bytes",
      MetricType::Gauge);
  add(stats.resident_memory_bytes, "process_resident_memory_bytes", "Resident memory size in bytes",
      MetricType::Gauge);
  add(stats.start_time_seconds, "process_start_time_seconds",
      "Start time of the process since unix epoch in seconds", MetricType::Gauge);
}

}  // namespace oeuvre::obs
