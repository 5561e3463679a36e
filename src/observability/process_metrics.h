#pragma once
// The process metrics every Prometheus client exports (the names of the Go and Python clients, so
// standard dashboards and alerts work): process_resident_memory_bytes, process_virtual_memory_bytes,
// process_cpu_seconds_total, process_open_fds, process_max_fds and process_start_time_seconds,
// read from /proc at each scrape. prometheus-cpp's core has no collector for them.
// Thread-safety: the functions are safe for concurrent use.

#include <prometheus/metric_family.h>

#include <optional>
#include <string_view>
#include <vector>

namespace oeuvre::obs {

struct ProcessStats {
  std::optional<double> resident_memory_bytes;
  std::optional<double> virtual_memory_bytes;
  std::optional<double> cpu_seconds;  // user + system
  std::optional<double> open_fds;
  std::optional<double> max_fds;
  std::optional<double> start_time_seconds;  // Unix time
};

// This process's figures from /proc/self; a figure that cannot be read is left empty.
ProcessStats read_process_stats();

// The figures of /proc/<pid>/stat text (`stat`, see proc(5)) with the page size, clock ticks per
// second and the boot time (Unix seconds, /proc/stat's btime): resident and virtual memory, CPU time
// and start time. Empty figures when the text does not parse. Separate from the reading for tests.
ProcessStats parse_proc_stat(std::string_view stat, double page_size, double ticks_per_second,
                             double boot_time_seconds);

// Appends a family for each figure present to `families`.
void append_process_metrics(const ProcessStats& stats, std::vector<prometheus::MetricFamily>& families);

}  // namespace oeuvre::obs
