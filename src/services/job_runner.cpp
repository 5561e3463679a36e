#include "services/job_runner.h"

#include <unistd.h>

#include <boost/json.hpp>
#include <algorithm>
#include <atomic>
#include <charconv>
#include <future>
#include <optional>
#include <thread>

#include "core/json_text.h"
#include "core/time.h"
#include "core/utf8.h"
#include "engine/reconciler.h"
#include "engine/record_table.h"
#include "engine/rules.h"
#include "ingest/file_parser.h"
#include "observability/log.h"
#include "services/audit_trail.h"
#include "store/record_repository.h"
#include "store/result_repository.h"
#include "store/row_mapping.h"
#include "store/transaction.h"

namespace oeuvre::services {

namespace {

namespace json = boost::json;

// Fractions of the progress bar per phase.
constexpr double kLoadEnd = 0.15;
constexpr double kMatchEnd = 0.80;
constexpr std::size_t kCheckEvery = 8192;  // rows between cancellation checks while loading / writing

std::string node_name() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] ? host : "node") + ":" + std::to_string(getpid());
}

bool is_standard_field(const std::string& name) {
  static const char* const kStandard[] = {"id",        "date",        "amount",      "currency",
                                          "reference", "description", "counterparty"};
  const std::string l = ascii_lowercase(name);
  for (const char* s : kStandard) {
    if (l == s) return true;
  }
  return false;
}

// Writes progress and keeps the claim alive from its own thread; notices cancel requests and lost
// claims, and raises `abort` (which the engine and the loops watch) for them and for a stopping node.
class Heartbeat {
 public:
  Heartbeat(store::Database& db, const Uuid& job_id, const std::string& token, std::chrono::milliseconds every,
            const std::atomic<bool>& stopping)
      : db_(db), job_id_(job_id), token_(token), every_(every), stopping_(stopping) {
    thread_ = std::thread([this] { run(); });
  }
  ~Heartbeat() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void set(const std::string& phase, double progress, std::int64_t total, std::int64_t processed) {
    std::lock_guard lock(mu_);
    progress_ = {phase, progress, total, processed};
  }
  const std::atomic<bool>& abort() const { return abort_; }
  bool aborted() const { return abort_.load(); }
  bool cancel_requested() const { return cancel_requested_.load(); }
  bool lost() const { return lost_.load(); }

 private:
  void run() {
    auto next_write = std::chrono::steady_clock::now() + every_;
    std::unique_lock lock(mu_);
    while (!done_) {
      cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return done_; });
      if (done_) break;
      if (stopping_.load()) abort_ = true;
      if (std::chrono::steady_clock::now() < next_write) continue;
      next_write = std::chrono::steady_clock::now() + every_;
      const store::JobProgress snapshot = progress_;
      lock.unlock();
      auto beat = store::with_connection(db_, [&](store::Connection& conn) {
        return store::JobRepository::heartbeat(conn, job_id_, token_, snapshot, now_utc());
      });
      lock.lock();
      if (!beat.ok()) continue;  // the store is busy or down: try again next time
      if (!beat->has_value()) {
        lost_ = true;
        abort_ = true;
      } else if (**beat) {
        cancel_requested_ = true;
        abort_ = true;
      }
    }
  }

  store::Database& db_;
  const Uuid job_id_;
  const std::string token_;
  const std::chrono::milliseconds every_;
  const std::atomic<bool>& stopping_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  store::JobProgress progress_{"loading", 0, 0, 0};
  std::atomic<bool> abort_{false};
  std::atomic<bool> cancel_requested_{false};
  std::atomic<bool> lost_{false};
  std::thread thread_;
};

// One side of a job: the engine's table and the store id of each of its records.
struct Side {
  engine::RecordTable table;
  std::vector<Uuid> ids;
};

// Names of the extra (non-standard) fields the rules read on one side.
std::vector<std::string> extra_fields(const engine::RuleSet& rules, bool left) {
  std::vector<std::string> out;
  for (const auto& rule : rules.fields) {
    const std::string& name = left ? rule.left_field : rule.right_field;
    if (name.empty() || is_standard_field(name)) continue;
    if (std::find(out.begin(), out.end(), ascii_lowercase(name)) == out.end()) out.push_back(ascii_lowercase(name));
  }
  return out;
}

Result<Side> load_side(store::Database& db, const Uuid& data_source_id, const std::vector<std::string>& extras,
                       const Heartbeat& heartbeat, const std::function<void(std::size_t)>& loaded) {
  Side side;
  engine::RecordTable& t = side.table;
  for (const auto& name : extras) t.extras.push_back({name, engine::ExtraKind::kText, {}, {}});
  t.has_amount = true;
  std::size_t count = 0;
  ASSIGN_OR_RETURN(bool ok, store::with_connection(db, [&](store::Connection& conn) -> Result<bool> {
    RETURN_IF_ERROR(store::RecordRepository::for_each_open(conn, data_source_id, [&](const store::Row& row) -> Status {
      auto id = Uuid::parse(row.text(0));
      if (!id) return Error::Internal("a record has a malformed id");
      side.ids.push_back(*id);
      t.ids.push_back(row.text(1));
      std::int32_t days = engine::kNoDate;
      if (const auto date = parse_date(row.text(2))) {
        days = static_cast<std::int32_t>(date->time_since_epoch().count());
        t.has_date = true;
      }
      t.dates.push_back(days);
      t.amounts.push_back(row.integer(3));
      t.currencies.push_back(row.text(4));
      if (!row.text(4).empty()) t.has_currency = true;
      t.references.push_back(row.text(5));
      if (!row.text(5).empty()) t.has_reference = true;
      t.descriptions.push_back(row.text(6));
      if (!row.text(6).empty()) t.has_description = true;
      t.counterparties.push_back(row.text(7));
      if (!row.text(7).empty()) t.has_counterparty = true;
      if (!extras.empty()) {
        boost::system::error_code ec;
        const json::value extra = json::parse(row.text(8), ec);
        for (auto& column : t.extras) {
          std::string value;
          if (!ec && extra.is_object()) {
            for (const auto& [key, v] : extra.as_object()) {
              if (ascii_lowercase(key) != column.name) continue;
              value = v.is_string() ? std::string(v.as_string()) : to_json_text(v);
              break;
            }
          }
          column.text.push_back(value);
        }
      }
      if (++count % kCheckEvery == 0) {
        if (heartbeat.aborted()) return Error::Unavailable("the job was stopped");
        loaded(count);
      }
      return OkStatus();
    }));
    return true;
  }));
  (void)ok;
  t.amount_scale = t.currencies.size() > 0 ? ingest::currency_scale(t.currencies[0]) : 2;
  RETURN_IF_ERROR(t.check_consistent());
  return side;
}

std::string_view kind_name(engine::GroupKind kind) {
  switch (kind) {
    case engine::GroupKind::kOneToOne: return "one_to_one";
    case engine::GroupKind::kOneToMany: return "one_to_many";
    case engine::GroupKind::kManyToOne: return "many_to_one";
  }
  return "one_to_one";
}

// [[rule, present, similarity, contribution], ...]: the per-field scores; names, comparisons and
// values are added when read (from the job's applied rules and the records). Numbers with 6
// significant digits, as printf's %.6g, by to_chars (a million rows of snprintf showed in profiles).
std::string compact_explanation(std::span<const engine::FieldScore> scores) {
  std::string out;
  out.reserve(2 + scores.size() * 28);
  out += '[';
  char buf[32];
  auto number = [&](double v) {
    const auto end = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, 6).ptr;
    out.append(buf, end);
  };
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const auto& s = scores[i];
    if (i > 0) out += ',';
    out += '[';
    const auto end = std::to_chars(buf, buf + sizeof buf, static_cast<unsigned>(s.rule)).ptr;
    out.append(buf, end);
    out += s.present ? ",1," : ",0,";
    number(s.similarity);
    out += ',';
    number(s.contribution);
    out += ']';
  }
  out += ']';
  return out;
}

std::string applied_rules_json(const engine::ReconcileResult& result, int amount_scale) {
  json::array rules;
  for (const auto& applied : result.rules) {
    const engine::FieldRule& r = applied.rule;
    rules.push_back(json::object{{"name", r.name},
                                 {"comparison", engine::describe(r, amount_scale)},
                                 {"weight", r.weight},
                                 {"left_field", r.left_field},
                                 {"right_field", r.right_field}});
  }
  return json::serialize(rules);
}

std::string error_text(const Error& error) {
  if (error.field_errors().empty()) return error.message();
  std::string text = error.message();
  for (const auto& fe : error.field_errors()) text += "; " + fe.field + ": " + fe.message;
  return text;
}

}  // namespace

JobRunner::JobRunner(store::Database& db, obs::Metrics& metrics, JobRunnerOptions options)
    : db_(db),
      metrics_(metrics),
      options_(options),
      node_(node_name()),
      workers_("reconciliation jobs", options.poll_interval, [this] { return run_next(); }) {}

JobRunner::~JobRunner() { stop(); }

Result<bool> JobRunner::run_next() {
  const Timestamp now = now_utc();
  ASSIGN_OR_RETURN(std::int64_t recovered, store::in_transaction(db_, true, [&](store::Connection& conn) {
                     return store::JobRepository::recover_stale(conn, now, now - options_.stale_after,
                                                                options_.max_attempts);
                   }));
  if (recovered > 0) obs::log_warn("stale reconciliation jobs handed on", {{"jobs", recovered}});
  const std::string token = Uuid::generate_v4().to_string();
  ASSIGN_OR_RETURN(std::optional<store::Job> claimed, store::in_transaction(db_, true, [&](store::Connection& conn) {
                     return store::JobRepository::claim_next(conn, token, node_, now_utc());
                   }));
  if (!claimed) return false;
  return run_claimed(*claimed, token);
}

Result<bool> JobRunner::run_claimed(const store::Job& job, const std::string& token) {
  const auto started = std::chrono::steady_clock::now();
  auto seconds_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };
  const RequestMeta meta{"job-" + token, "", "oeuvre jobs"};
  obs::log_info("reconciliation job started", {{"job_id", job.id.to_string()}, {"attempt", job.attempts}});
  Heartbeat heartbeat(db_, job.id, token, options_.heartbeat_every, workers_.stopping());

  // Ends the claim with nothing else written: failed, cancelled or handed back.
  auto end_alone = [&](const std::string& status, std::optional<std::string> error) -> Result<bool> {
    auto done = store::in_transaction(db_, true, [&](store::Connection& conn) -> Status {
      ASSIGN_OR_RETURN(bool kept, store::JobRepository::finish(conn, job.id, token, status, "{}", "[]", error, now_utc()));
      if (!kept) return Error::Conflict("the claim on the job was lost");
      if (status == "queued") return OkStatus();
      return record_audit(conn, meta,
                          {std::nullopt, job.project_id, "job." + std::string(status == "failed" ? "fail" : "cancel"),
                           "job", job.id.to_string(), std::nullopt,
                           json::object{{"status", status}, {"error", error ? json::value(*error) : nullptr}}});
    });
    if (!done.ok() && done.error().code() != ErrorCode::kConflict) return done.error();
    const std::string outcome = !done.ok() ? "lost" : status == "queued" ? "handed_back" : status;
    metrics_.observe_job(outcome, 0, seconds_since(started));
    obs::log_info("reconciliation job ended",
                  {{"job_id", job.id.to_string()}, {"status", outcome}, {"error", error.value_or("")}});
    return true;
  };
  // After an abort: why.
  auto end_aborted = [&]() -> Result<bool> {
    if (heartbeat.lost()) {
      metrics_.observe_job("lost", 0, seconds_since(started));
      obs::log_warn("reconciliation job claim lost", {{"job_id", job.id.to_string()}});
      return true;
    }
    if (workers_.stopping()) return end_alone("queued", std::nullopt);
    return end_alone("cancelled", std::nullopt);
  };

  auto rules = engine::parse_rules(job.rules);
  if (!rules.ok()) return end_alone("failed", "the job's rules are invalid: " + error_text(rules.error()));

  // Loading: both sides at once, each on a session of its own (the left one on a helper thread).
  const auto load_started = std::chrono::steady_clock::now();
  std::atomic<std::size_t> left_loaded{0}, right_loaded{0};
  std::atomic<std::int64_t> expected{0};  // twice the first side loaded: a guess for the other
  auto report_loaded = [&] {
    const auto n = static_cast<std::int64_t>(left_loaded.load() + right_loaded.load());
    const std::int64_t e = expected.load();
    heartbeat.set("loading", e > 0 ? kLoadEnd * std::min(1.0, double(n) / double(e)) : 0.0, e, n);
  };
  auto load = [&](const Uuid& source, bool is_left) {
    std::atomic<std::size_t>& loaded = is_left ? left_loaded : right_loaded;
    auto side = load_side(db_, source, extra_fields(*rules, is_left), heartbeat, [&](std::size_t n) {
      loaded = n;
      report_loaded();
    });
    if (side.ok()) {
      std::int64_t none = 0;
      expected.compare_exchange_strong(none, static_cast<std::int64_t>(side->ids.size()) * 2);
    }
    return side;
  };
  // (A future from std::async waits for its thread even when the right side's load throws.)
  auto left_loader = std::async(std::launch::async, [&] { return load(job.left_data_source_id, true); });
  Result<Side> right = load(job.right_data_source_id, false);
  Result<Side> left = left_loader.get();
  for (Result<Side>* side : {&left, &right}) {
    if (side->ok()) continue;
    if (heartbeat.aborted()) return end_aborted();
    return side->error();
  }
  const auto total = static_cast<std::int64_t>(left->ids.size() + right->ids.size());
  const double load_seconds = seconds_since(load_started);
  heartbeat.set("matching", kLoadEnd, total, 0);

  // Matching.
  const auto match_started = std::chrono::steady_clock::now();
  engine::ReconcileOptions engine_options;
  engine_options.threads = options_.engine_threads > 0
                               ? options_.engine_threads
                               : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  engine_options.cancel = &heartbeat.abort();
  engine_options.progress = [&](std::string_view, double fraction) {
    heartbeat.set("matching", kLoadEnd + (kMatchEnd - kLoadEnd) * fraction, total,
                  static_cast<std::int64_t>(fraction * static_cast<double>(total)));
  };
  auto matched = engine::reconcile(left->table, right->table, *rules, engine_options);
  if (heartbeat.aborted()) return end_aborted();
  if (!matched.ok()) return end_alone("failed", "the records could not be reconciled: " + error_text(matched.error()));
  const engine::ReconcileResult& result = *matched;
  const double match_seconds = seconds_since(match_started);

  // Writing: every result, the auto-confirmed matches, the counters and the status, in one transaction.
  const auto write_started = std::chrono::steady_clock::now();
  const std::size_t rows_total = result.groups.size() + result.unmatched_left.size() + result.unmatched_right.size();
  heartbeat.set("writing", kMatchEnd, total, total);
  const engine::ReconcileSummary& s = result.summary;
  std::int64_t confirmed = 0;
  auto written = store::in_transaction(db_, true, [&](store::Connection& conn) -> Status {
    const Timestamp now = now_utc();
    ASSIGN_OR_RETURN(store::ResultWriter writer, store::ResultWriter::open(conn));
    std::vector<store::MatchLink> links;
    std::vector<Uuid> matched_records;
    store::ResultRow row;
    row.job_id = job.id;
    row.project_id = job.project_id;
    row.created_at = row.updated_at = now;
    std::int64_t group_number = 0;
    std::size_t written_rows = 0;
    // Rows go out in the order of the results indexes — (confidence DESC, id), ids increasing — so
    // the (job_id, confidence, id), (job_id, status, confidence, id) and primary key indexes are
    // appended to instead of updated at random pages: several times faster for a million rows.
    std::vector<std::uint32_t> order(result.groups.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return result.groups[a].confidence > result.groups[b].confidence;
    });
    Uuid last_id;
    auto next_id = [&] { return last_id = Uuid::generate_v7_after(last_id); };
    auto progress = [&]() -> Status {
      if (++written_rows % kCheckEvery != 0) return OkStatus();
      if (heartbeat.aborted()) return Error::Unavailable("the job was stopped");
      heartbeat.set("writing",
                    kMatchEnd + (1 - kMatchEnd) * static_cast<double>(written_rows) / static_cast<double>(rows_total),
                    total, total);
      return OkStatus();
    };
    for (const std::uint32_t at : order) {
      const engine::MatchGroup& g = result.groups[at];
      row.id = next_id();
      row.match_group = ++group_number;
      row.kind = std::string(kind_name(g.kind));
      row.left_ids.clear();
      row.right_ids.clear();
      row.left_amount_minor = row.right_amount_minor = 0;
      for (std::uint32_t i : result.left_of(g)) {
        row.left_ids.push_back(left->ids[i]);
        row.left_amount_minor += left->table.amounts[i];
      }
      for (std::uint32_t i : result.right_of(g)) {
        row.right_ids.push_back(right->ids[i]);
        row.right_amount_minor += right->table.amounts[i];
      }
      row.currency = std::string(left->table.currencies[result.left_of(g).front()]);
      row.confidence = std::clamp(g.confidence, 0.0, 1.0);
      row.explanation = compact_explanation(result.scores_of(g));
      row.anchor_record_id.reset();
      row.match_id.reset();
      row.status = g.status == engine::MatchStatus::kMatched ? "matched" : "suggested";
      if (job.auto_confirm && g.status == engine::MatchStatus::kMatched) {
        row.status = "confirmed";
        row.match_id = Uuid::generate_v7();
        links.push_back({*row.match_id, job.project_id, job.id, row.id, row.kind, row.left_ids, row.right_ids,
                         row.confidence, std::nullopt, now});
        matched_records.insert(matched_records.end(), row.left_ids.begin(), row.left_ids.end());
        matched_records.insert(matched_records.end(), row.right_ids.begin(), row.right_ids.end());
      }
      RETURN_IF_ERROR(writer.add(row));
      RETURN_IF_ERROR(progress());
    }
    auto unmatched = [&](const std::vector<std::uint32_t>& indexes, const Side& side, bool is_left) -> Status {
      for (std::uint32_t i : indexes) {
        row.id = next_id();
        row.match_group = ++group_number;
        row.kind = is_left ? "unmatched_left" : "unmatched_right";
        row.left_ids.clear();
        row.right_ids.clear();
        (is_left ? row.left_ids : row.right_ids).push_back(side.ids[i]);
        row.left_amount_minor = is_left ? side.table.amounts[i] : 0;
        row.right_amount_minor = is_left ? 0 : side.table.amounts[i];
        row.currency = std::string(side.table.currencies[i]);
        row.confidence = 0;
        row.explanation = "[]";
        row.status = "unmatched";
        row.anchor_record_id = side.ids[i];
        row.match_id.reset();
        RETURN_IF_ERROR(writer.add(row));
        RETURN_IF_ERROR(progress());
      }
      return OkStatus();
    };
    RETURN_IF_ERROR(unmatched(result.unmatched_left, *left, true));
    RETURN_IF_ERROR(unmatched(result.unmatched_right, *right, false));
    RETURN_IF_ERROR(writer.finish());
    // In bulk, a batch at a time with a cancellation check between batches: one INSERT per match
    // made a cancel during this step wait for all of them.
    for (std::size_t at = 0; at < links.size(); at += kCheckEvery) {
      const std::size_t n = std::min(kCheckEvery, links.size() - at);
      RETURN_IF_ERROR(
          store::ResultRepository::insert_matches(conn, std::span<const store::MatchLink>(links).subspan(at, n)));
      if (heartbeat.aborted()) return Error::Unavailable("the job was stopped");
    }
    for (std::size_t at = 0; at < matched_records.size(); at += store::RecordRepository::kMaxIdsPerQuery) {
      const std::size_t n = std::min(store::RecordRepository::kMaxIdsPerQuery, matched_records.size() - at);
      ASSIGN_OR_RETURN(std::int64_t moved,
                       store::RecordRepository::change_status(
                           conn, std::span<const Uuid>(matched_records).subspan(at, n), "open", "matched"));
      if (moved != static_cast<std::int64_t>(n)) {
        return Error::Conflict("records of this job were matched meanwhile by another job or a reviewer");
      }
      if (heartbeat.aborted()) return Error::Unavailable("the job was stopped");
    }
    confirmed = static_cast<std::int64_t>(links.size());
    const json::object counters{
        {"left_records", s.left_records},         {"right_records", s.right_records},
        {"matched", s.matched_groups},            {"suggested", s.suggested_groups},
        {"unmatched_left", s.left_unmatched},     {"unmatched_right", s.right_unmatched},
        {"one_to_one", s.one_to_one},             {"one_to_many", s.one_to_many},
        {"many_to_one", s.many_to_one},           {"auto_confirmed", confirmed},
        {"left_duplicates", s.left_duplicates},   {"right_duplicates", s.right_duplicates},
        {"load_seconds", load_seconds},           {"match_seconds", match_seconds},
        {"write_seconds", seconds_since(write_started)}};
    ASSIGN_OR_RETURN(bool kept,
                     store::JobRepository::finish(conn, job.id, token, "completed", json::serialize(counters),
                                                  applied_rules_json(result, left->table.amount_scale), std::nullopt,
                                                  now_utc(), total));
    if (!kept) return Error::Conflict("the claim on the job was lost or a cancel was requested");
    return record_audit(conn, meta,
                        {std::nullopt, job.project_id, "job.complete", "job", job.id.to_string(), std::nullopt,
                         json::object{{"status", "completed"}, {"worker", node_}, {"counters", counters}}});
  });
  if (written.ok()) {
    metrics_.observe_job("completed", total, seconds_since(started));
    obs::log_info("reconciliation job completed", {{"job_id", job.id.to_string()},
                                                   {"records", total},
                                                   {"results", rows_total},
                                                   {"seconds", seconds_since(started)}});
    return true;
  }
  if (heartbeat.aborted()) return end_aborted();
  if (written.error().code() == ErrorCode::kConflict) {
    // A cancel came in during the write (the status update refused it), or the claim was lost, or
    // auto-confirmed records were taken meanwhile.
    auto cancelled = store::with_connection(db_, [&](store::Connection& conn) {
      return store::JobRepository::heartbeat(conn, job.id, token, {"writing", kMatchEnd, total, total}, now_utc());
    });
    if (cancelled.ok() && cancelled->has_value() && **cancelled) return end_alone("cancelled", std::nullopt);
    if (cancelled.ok() && !cancelled->has_value()) return end_aborted();
    return end_alone("failed", "the results could not be stored: " + written.error().message());
  }
  if (written.error().code() == ErrorCode::kUnavailable) {
    // Busy or down: hand the job back at once; when even that fails, it goes stale and is handed on.
    auto back = end_alone("queued", std::nullopt);
    return back.ok() ? back : written.error();
  }
  return end_alone("failed", "the results could not be stored: " + written.error().message());
}

void JobRunner::start() { workers_.start(options_.workers); }

void JobRunner::wake() { workers_.wake(); }

void JobRunner::stop() { workers_.stop(); }

}  // namespace oeuvre::services
