#include "services/job_sides.h"

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <functional>
#include <future>
#include <string>

#include "core/time.h"
#include "core/utf8.h"
#include "ingest/file_parser.h"
#include "store/record_repository.h"
#include "store/transaction.h"

namespace oeuvre::services {

namespace {

namespace json = boost::json;

constexpr std::size_t kCheckEvery = 8192;  // rows between cancellation checks

bool is_standard_field(const std::string& name) {
  static const char* const kStandard[] = {"id",        "date",        "amount",      "currency",
                                          "reference", "description", "counterparty"};
  const std::string l = ascii_lowercase(name);
  for (const char* s : kStandard) {
    if (l == s) return true;
  }
  return false;
}

// Names of the extra (non-standard) fields the rules read on one side.
std::vector<std::string> extra_fields(const engine::RuleSet& rules, bool left) {
  std::vector<std::string> out;
  for (const auto& rule : rules.fields) {
    const std::string& name = left ? rule.left_field : rule.right_field;
    if (name.empty() || is_standard_field(name)) continue;
    if (std::find(out.begin(), out.end(), ascii_lowercase(name)) == out.end())
      out.push_back(ascii_lowercase(name));
  }
  return out;
}

Result<JobSide> load_side(store::Database& db, const Uuid& data_source_id,
                          const std::vector<std::string>& extras, const Claim& claim,
                          const std::function<void(std::size_t)>& loaded) {
  JobSide side;
  engine::RecordTable& t = side.table;
  for (const auto& name : extras) t.extras.push_back({name, engine::ExtraKind::kText, {}, {}});
  t.has_amount = true;
  std::size_t count = 0;
  RETURN_IF_ERROR(store::with_connection(db, [&](store::Connection& conn) -> Status {
    return store::RecordRepository::for_each_open(
        conn, data_source_id, [&](const store::Row& row) -> Status {
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
                  value = v.is_string() ? std::string(v.as_string()) : json::serialize(v);
                  break;
                }
              }
              column.text.push_back(value);
            }
          }
          if (++count % kCheckEvery == 0) {
            if (claim.aborted()) return Error::Unavailable("the job was stopped");
            loaded(count);
          }
          return OkStatus();
        });
  }));
  t.amount_scale = t.currencies.size() > 0 ? ingest::currency_scale(t.currencies[0]) : 2;
  RETURN_IF_ERROR(t.check_consistent());
  return side;
}

}  // namespace

Result<JobSides> load_job_sides(store::Database& db, const store::Job& job,
                                const engine::RuleSet& rules, Claim& claim, double progress_end) {
  std::atomic<std::size_t> left_loaded{0}, right_loaded{0};
  std::atomic<std::int64_t> expected{0};  // twice the first side loaded: a guess for the other
  auto report_loaded = [&] {
    const auto n = static_cast<std::int64_t>(left_loaded.load() + right_loaded.load());
    const std::int64_t e = expected.load();
    claim.report(
        {"loading", e > 0 ? progress_end * std::min(1.0, double(n) / double(e)) : 0.0, e, n});
  };
  auto load = [&](const Uuid& source, bool is_left) {
    std::atomic<std::size_t>& loaded = is_left ? left_loaded : right_loaded;
    auto side = load_side(db, source, extra_fields(rules, is_left), claim, [&](std::size_t n) {
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
  auto left_loader =
      std::async(std::launch::async, [&] { return load(job.left_data_source_id, true); });
  Result<JobSide> right = load(job.right_data_source_id, false);
  Result<JobSide> left = left_loader.get();
  if (!left.ok()) return std::move(left).error();
  if (!right.ok()) return std::move(right).error();
  return JobSides{std::move(*left), std::move(*right)};
}

}  // namespace oeuvre::services
