#include "api/job_streams.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "core/json_text.h"
#include "core/json_writer.h"
#include "csv/csv_writer.h"
#include "services/explanation_format.h"
#include "services/record_fields.h"

namespace oeuvre::api {

namespace {

namespace json = boost::json;

constexpr int kExportPage = 500;
constexpr auto kKeepAliveEvery = std::chrono::seconds(15);

class JobEventStream final : public http::ResponseStream {
 public:
  JobEventStream(services::JobService& jobs, security::Actor actor, Uuid job_id)
      : jobs_(jobs), actor_(std::move(actor)), job_id_(job_id) {}

  Result<Step> next(std::string& out) override {
    if (!started_) {
      out += "retry: 2000\n\n";
      started_ = true;
    }
    auto job = jobs_.get(actor_, job_id_);
    if (!job.ok()) {
      if (job.error().code() != ErrorCode::kNotFound) return job.error();
      out +=
          "event: end\ndata: {\"id\":\"" + job_id_.to_string() + "\",\"status\":\"deleted\"}\n\n";
      return Step::kDone;
    }
    json::object view = services::to_json(*job);
    // What changes for a watcher: status, phase, progress (not the clock-driven fields).
    const std::string state = std::string(to_string(job->status)) + "|" + job->phase + "|" +
                              std::to_string(std::lround(job->progress * 1000)) + "|" +
                              std::to_string(job->cancel_requested);
    const auto now = std::chrono::steady_clock::now();
    if (job->ended()) {
      out += "event: end\ndata: " + to_json_text(view) + "\n\n";
      return Step::kDone;
    }
    if (state != last_state_) {
      out += "event: progress\ndata: " + to_json_text(view) + "\n\n";
      last_state_ = state;
      last_write_ = now;
    } else if (now - last_write_ >= kKeepAliveEvery) {
      out += ": keep-alive\n\n";
      last_write_ = now;
    }
    return Step::kWait;
  }

 private:
  services::JobService& jobs_;
  const security::Actor actor_;
  const Uuid job_id_;
  bool started_ = false;
  std::string last_state_;
  std::chrono::steady_clock::time_point last_write_{};
};

class ExportStream final : public http::ResponseStream {
 public:
  ExportStream(services::JobService& jobs, store::Job job, std::vector<store::ResultFilter> filters,
               bool csv)
      : jobs_(jobs),
        job_(std::move(job)),
        renderer_(job_),
        filters_(std::move(filters)),
        csv_(csv) {}

  Result<Step> next(std::string& out) override {
    if (!started_) {
      started_ = true;
      if (csv_) {
        csv::CsvWriter w(out);
        for (const char* h :
             {"result_id", "match_group", "kind", "status", "confidence", "side", "record_id"}) {
          w.field(std::string_view(h));
        }
        for (const auto& f : services::kStandardFields) w.field(f.api_name);
        w.field(std::string_view("held"));
        w.field(std::string_view("alternatives"));
        w.end_row();
      } else {
        out += "[";
      }
    }
    if (filter_index_ >= filters_.size()) {
      if (!csv_) out += "]\n";
      return Step::kDone;
    }
    ASSIGN_OR_RETURN(
        std::vector<services::ResultView> page,
        jobs_.read_results_page(job_.id, filters_[filter_index_], cursor_, kExportPage));
    for (const auto& view : page) {
      if (csv_) {
        write_csv(out, view);
      } else {
        if (!first_) out += ",";
        first_ = false;
        out += "\n";
        JsonWriter w(out);
        renderer_.write(w, view);
      }
    }
    if (page.size() < static_cast<std::size_t>(kExportPage)) {
      ++filter_index_;
      cursor_.reset();
    } else {
      cursor_ = store::ResultCursor{page.back().result.confidence, page.back().result.id};
    }
    return Step::kMore;
  }

 private:
  // A spreadsheet would run text starting with = + - @ as a formula: such text values get a leading
  // '.
  static std::string safe_text(const std::string& value) {
    if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' ||
                           value[0] == '@' || value[0] == '\t' || value[0] == '\r')) {
      return "'" + value;
    }
    return value;
  }

  // "L:<uuid>;<uuid> R:<uuid> (0.93) | ...": a result's competing explanations in one cell.
  static std::string describe_alternatives(const store::ResultRow& r) {
    std::string text;
    auto ids = [&](const std::vector<Uuid>& list) {
      for (std::size_t i = 0; i < list.size(); ++i) text += (i ? ";" : "") + list[i].to_string();
    };
    char confidence[32];
    for (const services::StoredAlternative& a : services::read_alternatives(r.alternatives)) {
      if (!text.empty()) text += " | ";
      text += "L:";
      ids(a.left_ids);
      text += " R:";
      ids(a.right_ids);
      std::snprintf(confidence, sizeof confidence, " (%.4g)", a.confidence);
      text += confidence;
    }
    return text;
  }

  static void write_csv(std::string& out, const services::ResultView& view) {
    csv::CsvWriter w(out);
    const store::ResultRow& r = view.result;
    const std::string alternatives = describe_alternatives(r);
    auto line = [&](const store::Record& rec, const char* side) {
      w.field(r.id.to_string());
      w.field(r.match_group);
      w.field(r.kind);
      w.field(to_string(r.status));
      w.number_field(r.confidence, 4);
      w.field(std::string_view(side));
      w.field(rec.id.to_string());
      for (const auto& f : services::kStandardFields) {
        std::string value = services::standard_value(rec, f.field);
        w.field(f.free_text ? safe_text(value) : value);
      }
      w.field(r.held);
      w.field(alternatives);
      w.end_row();
    };
    for (const auto& rec : view.left) line(rec, "left");
    for (const auto& rec : view.right) line(rec, "right");
  }

  services::JobService& jobs_;
  const store::Job job_;
  const services::ResultRenderer renderer_;
  const std::vector<store::ResultFilter> filters_;
  const bool csv_;
  bool started_ = false;
  bool first_ = true;
  std::size_t filter_index_ = 0;
  std::optional<store::ResultCursor> cursor_;
};

}  // namespace

std::shared_ptr<http::ResponseStream> make_job_event_stream(services::JobService& jobs,
                                                            security::Actor actor, Uuid job_id) {
  return std::make_shared<JobEventStream>(jobs, std::move(actor), job_id);
}

std::shared_ptr<http::ResponseStream> make_export_stream(services::JobService& jobs, store::Job job,
                                                         std::vector<store::ResultFilter> filters,
                                                         ExportFormat format) {
  return std::make_shared<ExportStream>(jobs, std::move(job), std::move(filters),
                                        format == ExportFormat::kCsv);
}

}  // namespace oeuvre::api
