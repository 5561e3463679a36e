#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <unordered_map>

#include "core/money.h"
#include "core/utf8.h"
#include "engine/reconciler.h"
#include "engine/record_table.h"
#include "ingest/file_parser.h"
#include "security/crypto.h"
#include "services/explanation_format.h"
#include "services/job_service.h"
#include "services/record_fields.h"
#include "services/record_service.h"
#include "store/transaction.h"

namespace oeuvre::services {

namespace json = boost::json;

namespace {

std::string format_amount(std::int64_t minor, const std::string& currency) {
  return format_minor_units(minor, currency_scale(currency));
}

// A side's value for an explanation: the sum for amounts, else the distinct values joined by "; ".
// `field` is lowercase.
std::string side_value(const std::vector<store::Record>& records, const std::string& field) {
  if (records.empty()) return "";
  if (records.size() == 1) return rule_field_value(records.front(), field);
  if (field == "amount") {
    if (!records.front().has_amount()) return "";
    std::int64_t sum = 0;
    for (const auto& r : records) sum += r.amount_minor;
    return format_amount(sum, records.front().currency);
  }
  std::vector<std::string> values;
  for (const auto& r : records) {
    std::string v = rule_field_value(r, field);
    if (!v.empty() && std::find(values.begin(), values.end(), v) == values.end())
      values.push_back(std::move(v));
  }
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : "; ") + v;
  return out;
}

}  // namespace

std::optional<store::ResultFilter> result_status_filter(std::string_view status) {
  store::ResultFilter f;
  if (auto stored = parse_result_status(status)) {
    f.status = *stored;
  } else if (status == "unmatched_left" || status == "unmatched_right") {
    f.status = ResultStatus::kUnmatched;
    f.kind = std::string(status);
  } else {
    return std::nullopt;
  }
  return f;
}

std::string encode_result_cursor(const store::ResultCursor& cursor) {
  char number[40];
  std::snprintf(number, sizeof number, "%.17g", cursor.confidence);
  return security::base64url_encode(std::string(number) + "|" + cursor.id.to_string());
}

std::optional<store::ResultCursor> decode_result_cursor(std::string_view text) {
  if (text.size() > 128) return std::nullopt;
  auto raw = security::base64url_decode(text);
  if (!raw) return std::nullopt;
  const auto bar = raw->find('|');
  if (bar == std::string::npos) return std::nullopt;
  store::ResultCursor cursor;
  const char* begin = raw->data();
  auto [ptr, ec] = std::from_chars(begin, begin + bar, cursor.confidence);
  if (ec != std::errc() || ptr != begin + bar || !std::isfinite(cursor.confidence))
    return std::nullopt;
  auto id = Uuid::parse(std::string_view(*raw).substr(bar + 1));
  if (!id) return std::nullopt;
  cursor.id = *id;
  return cursor;
}

Result<std::vector<ResultView>> attach_records(store::Connection& conn,
                                               std::vector<store::ResultRow> rows) {
  std::vector<Uuid> ids;
  for (const auto& r : rows) {
    ids.insert(ids.end(), r.left_ids.begin(), r.left_ids.end());
    ids.insert(ids.end(), r.right_ids.begin(), r.right_ids.end());
  }
  std::vector<Uuid> distinct = ids;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  // Each record with the number of results on the page that show it: the last of them takes the
  // record, earlier ones copy it (a record is in one result of a job, so a page normally copies
  // none).
  struct Shown {
    store::Record record;
    int uses = 0;
  };
  std::unordered_map<Uuid, Shown> by_id;
  by_id.reserve(distinct.size());
  for (std::size_t at = 0; at < distinct.size(); at += store::RecordRepository::kMaxIdsPerQuery) {
    const std::size_t n = std::min(store::RecordRepository::kMaxIdsPerQuery, distinct.size() - at);
    ASSIGN_OR_RETURN(
        std::vector<store::Record> found,
        store::RecordRepository::find_many(conn, std::span<const Uuid>(distinct).subspan(at, n)));
    for (auto& r : found) {
      const Uuid key = r.id;
      by_id.emplace(key, Shown{std::move(r), 0});
    }
  }
  for (const Uuid& id : ids) {
    if (auto it = by_id.find(id); it != by_id.end()) ++it->second.uses;
  }
  std::vector<ResultView> out;
  out.reserve(rows.size());
  auto take = [&](const Uuid& id, std::vector<store::Record>& into) {
    auto it = by_id.find(id);
    if (it == by_id.end()) return;
    if (--it->second.uses == 0) {
      into.push_back(std::move(it->second.record));
    } else {
      into.push_back(it->second.record);
    }
  };
  for (auto& row : rows) {
    ResultView view;
    for (const Uuid& id : row.left_ids) take(id, view.left);
    for (const Uuid& id : row.right_ids) take(id, view.right);
    view.result = std::move(row);
    out.push_back(std::move(view));
  }
  return out;
}

Result<ResultPage> JobService::results(const security::Actor& actor, const Uuid& job_id,
                                       const store::ResultFilter& filter,
                                       const std::optional<store::ResultCursor>& after, int limit) {
  return store::with_connection(db_, [&](store::Connection& conn) -> Result<ResultPage> {
    ResultPage page;
    ASSIGN_OR_RETURN(page.job, load_accessible_job(conn, actor, job_id));
    ASSIGN_OR_RETURN(std::vector<store::ResultRow> rows,
                     store::ResultRepository::list(conn, job_id, filter, after, limit + 1));
    if (rows.size() > static_cast<std::size_t>(limit)) {
      rows.resize(static_cast<std::size_t>(limit));
      page.next_cursor = encode_result_cursor({rows.back().confidence, rows.back().id});
    }
    ASSIGN_OR_RETURN(page.items, attach_records(conn, std::move(rows)));
    return page;
  });
}

Result<std::vector<ResultView>> JobService::read_results_page(
    const Uuid& job_id, const store::ResultFilter& filter,
    const std::optional<store::ResultCursor>& after, int limit) {
  return store::with_connection(
      db_, [&](store::Connection& conn) -> Result<std::vector<ResultView>> {
        ASSIGN_OR_RETURN(std::vector<store::ResultRow> rows,
                         store::ResultRepository::list(conn, job_id, filter, after, limit));
        return attach_records(conn, std::move(rows));
      });
}

Result<std::pair<ResultView, store::Job>> JobService::result(const security::Actor& actor,
                                                             const Uuid& id) {
  return store::with_connection(
      db_, [&](store::Connection& conn) -> Result<std::pair<ResultView, store::Job>> {
        ASSIGN_OR_RETURN(std::optional<store::ScopedResult> found,
                         store::ResultRepository::find_visible(conn, id));
        if (!found) return Error::NotFound("result not found");
        RETURN_IF_ERROR(security::require_project_access(actor, found->project_owner_id, "result"));
        ASSIGN_OR_RETURN(store::Job job, load_accessible_job(conn, actor, found->result.job_id));
        std::vector<store::ResultRow> rows{std::move(found->result)};
        ASSIGN_OR_RETURN(std::vector<ResultView> views, attach_records(conn, std::move(rows)));
        return std::make_pair(std::move(views.front()), std::move(job));
      });
}

namespace {

// A job's summary from its results' totals.
Result<json::object> summarize(store::Connection& conn, const store::Job& job) {
  const Uuid& job_id = job.id;
  ASSIGN_OR_RETURN(std::vector<store::ResultTotals> totals,
                   store::ResultRepository::totals(conn, job_id));
  json::object groups{{"matched", 0},         {"suggested", 0}, {"unmatched_left", 0},
                      {"unmatched_right", 0}, {"confirmed", 0}, {"rejected", 0}};
  std::int64_t left = 0, right = 0, left_reconciled = 0, right_reconciled = 0;
  // Offsets (a record and its reversal on one side), also counted by their status above.
  std::int64_t offset_groups = 0, offset_left = 0, offset_right = 0;
  struct Currency {
    std::map<std::string, json::object> by_status;
    std::int64_t net = 0;
  };
  std::map<std::string, Currency> currencies;
  for (const auto& t : totals) {
    const std::string key =
        t.status == ResultStatus::kUnmatched ? t.kind : std::string(to_string(t.status));
    groups[key] = groups[key].as_int64() + t.results;
    if (t.kind == "offset" && t.status != ResultStatus::kRejected) {
      offset_groups += t.results;
      offset_left += t.left_records;
      offset_right += t.right_records;
    }
    left += t.left_records;
    right += t.right_records;
    const bool reconciled =
        t.status == ResultStatus::kMatched || t.status == ResultStatus::kConfirmed;
    if (reconciled) {
      left_reconciled += t.left_records;
      right_reconciled += t.right_records;
    }
    Currency& c = currencies[t.currency];
    json::object& s = c.by_status[key];
    const std::int64_t count = s.contains("groups") ? s["groups"].as_int64() : 0;
    const std::int64_t lsum =
        (s.contains("left_amount_minor") ? s["left_amount_minor"].as_int64() : 0) +
        t.left_amount_minor;
    const std::int64_t rsum =
        (s.contains("right_amount_minor") ? s["right_amount_minor"].as_int64() : 0) +
        t.right_amount_minor;
    s = json::object{{"groups", count + t.results},
                     {"left_amount_minor", lsum},
                     {"right_amount_minor", rsum},
                     {"left_amount", format_amount(lsum, t.currency)},
                     {"right_amount", format_amount(rsum, t.currency)}};
    if (!reconciled) c.net += t.left_amount_minor - t.right_amount_minor;
  }
  json::array per_currency;
  for (auto& [code, c] : currencies) {
    if (code.empty()) continue;  // the results of records without amounts (customers, people)
    json::object by_status;
    for (auto& [status, o] : c.by_status) by_status[status] = std::move(o);
    per_currency.push_back(json::object{{"currency", code},
                                        {"by_status", std::move(by_status)},
                                        {"net_unexplained_minor", c.net},
                                        {"net_unexplained", format_amount(c.net, code)}});
  }
  ASSIGN_OR_RETURN(const auto bands, store::ResultRepository::confidence_bands(conn, job_id));
  json::array histogram;
  for (std::size_t i = 0; i < bands.size(); ++i) {
    histogram.push_back(json::object{{"from", static_cast<double>(i) / 10.0},
                                     {"to", static_cast<double>(i + 1) / 10.0},
                                     {"groups", bands[i]}});
  }
  const std::int64_t all = left + right;
  return json::object{
      {"job_id", job.id.to_string()},
      {"status", to_string(job.status)},
      {"groups", std::move(groups)},
      {"records", json::object{{"left", left},
                               {"right", right},
                               {"left_reconciled", left_reconciled},
                               {"right_reconciled", right_reconciled}}},
      {"offsets", json::object{{"groups", offset_groups},
                               {"left_records", offset_left},
                               {"right_records", offset_right}}},
      {"match_rate", all == 0 ? 0.0
                              : static_cast<double>(left_reconciled + right_reconciled) /
                                    static_cast<double>(all)},
      {"currencies", std::move(per_currency)},
      {"confidence_histogram", std::move(histogram)}};
}

}  // namespace

Result<json::object> JobService::summary(const security::Actor& actor, const Uuid& job_id) {
  if (reads_ == nullptr) {
    return store::with_connection(db_, [&](store::Connection& conn) -> Result<json::object> {
      ASSIGN_OR_RETURN(store::Job job, load_accessible_job(conn, actor, job_id));
      return summarize(conn, job);
    });
  }
  // An ended job's summary changes only with review decisions, which drop it from the cache.
  ASSIGN_OR_RETURN(store::Job job, reads_->accessible_job(actor, job_id));
  ASSIGN_OR_RETURN(std::string text, reads_->job_summary(job, [&]() -> Result<std::string> {
    ASSIGN_OR_RETURN(
        json::object summary,
        store::with_connection(db_, [&](store::Connection& conn) { return summarize(conn, job); }));
    return json::serialize(summary);
  }));
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) return Error::Internal("the cached job summary could not be read");
  return std::move(parsed.as_object());
}

ResultRenderer::ResultRenderer(const store::Job& job) {
  if (auto rules = engine::parse_rules(job.rules); rules.ok()) model_ = rules->model;
  boost::system::error_code ec;
  const json::value applied = json::parse(job.applied_rules, ec);
  if (ec || !applied.is_array()) return;
  for (const auto& entry : applied.as_array()) {
    AppliedRule rule;
    if (const json::object* o = entry.if_object()) {
      auto text = [&](const char* key) {
        const json::value* v = o->if_contains(key);
        return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
      };
      rule = {text("name"), text("comparison"), ascii_lowercase(text("left_field")),
              ascii_lowercase(text("right_field")), 0.0};
      if (const json::value* w = o->if_contains("weight"); w != nullptr && w->is_number()) {
        rule.weight = w->to_number<double>();
      }
    }
    rules_.push_back(std::move(rule));
  }
}

void ResultRenderer::write(JsonWriter& w, const ResultView& view) const {
  const store::ResultRow& r = view.result;
  auto uuid_or_null = [&](const std::optional<Uuid>& id) { id ? w.uuid(*id) : w.null(); };
  w.begin_object();
  w.key("id").uuid(r.id);
  w.key("job_id").uuid(r.job_id);
  w.key("match_group").number(r.match_group);
  w.key("kind").string(r.kind);
  w.key("status").string(to_string(r.status));
  w.key("confidence").number(r.confidence);
  w.key("version").number(r.version);
  w.key("left").begin_array();
  for (const auto& rec : view.left) write_json(w, rec);
  w.end_array();
  w.key("right").begin_array();
  for (const auto& rec : view.right) write_json(w, rec);
  w.end_array();
  // Results of records without amounts (customers, people) have none: null.
  if (r.currency.empty()) {
    w.key("left_amount_minor").null();
    w.key("right_amount_minor").null();
    w.key("currency").null();
  } else {
    w.key("left_amount_minor").number(r.left_amount_minor);
    w.key("right_amount_minor").number(r.right_amount_minor);
    w.key("currency").string(r.currency);
  }
  w.key("explanation").begin_array();
  read_compact_explanation(r.explanation, [&](const ExplanationEntry& e) {
    if (e.rule >= rules_.size()) return;
    const AppliedRule& rule = rules_[e.rule];
    engine::Explanation line;
    line.rule = rule.name;
    line.comparison = rule.comparison;
    line.left_value = side_value(view.left, rule.left_field);
    line.right_value = side_value(view.right, rule.right_field);
    line.present = e.present;
    line.similarity = e.similarity;
    line.weight = rule.weight;
    line.contribution = e.contribution;
    if (model_) {
      if (const engine::RuleModel* levels = model_->find(rule.name))
        engine::explain_level(*levels, e.present, e.similarity, e.match_weight, line);
    }
    engine::write_json(w, line);
  });
  w.end_array();
  w.key("held");
  r.held.empty() ? w.null() : w.string(r.held);
  w.key("alternatives");
  write_alternatives(w, read_alternatives(r.alternatives));
  w.key("match_id");
  uuid_or_null(r.match_id);
  w.key("reviewed_by");
  uuid_or_null(r.reviewed_by);
  w.key("reviewed_at");
  r.reviewed_at ? w.string(format_timestamp(*r.reviewed_at)) : w.null();
  w.key("created_at").string(format_timestamp(r.created_at));
  w.key("updated_at").string(format_timestamp(r.updated_at));
  w.end_object();
}

}  // namespace oeuvre::services
