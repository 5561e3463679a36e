#include "services/job_sides.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <future>
#include <string>

#include "core/time.h"
#include "core/utf8.h"
#include "ingest/record_table_builder.h"
#include "store/record_repository.h"
#include "store/transaction.h"

namespace oeuvre::services {

namespace {

constexpr std::size_t kCheckEvery = 8192;  // rows between cancellation checks

Result<JobSide> load_side(store::Database& db, const Uuid& data_source_id,
                          std::vector<std::string> extras, const Claim& claim,
                          const std::function<void(std::size_t)>& loaded) {
  JobSide side;
  ingest::RecordTableBuilder builder(std::move(extras));
  std::size_t count = 0;
  bool any_amount = false;  // a record without one has currency "" (store::Record::has_amount)
  RETURN_IF_ERROR(store::with_connection(db, [&](store::Connection& conn) -> Status {
    return store::RecordRepository::for_each_open(
        conn, data_source_id, [&](const store::Row& row) -> Status {
          auto id = Uuid::parse(row.text(0));
          if (!id) return Error::Internal("a record has a malformed id");
          side.ids.push_back(*id);
          ingest::RecordFields fields;
          fields.id = row.text(1);
          if (const auto date = parse_date(row.text(2))) {
            fields.date = static_cast<std::int32_t>(date->time_since_epoch().count());
          }
          fields.amount_minor = row.integer(3);
          fields.currency = row.text(4);
          any_amount = any_amount || !fields.currency.empty();
          fields.reference = row.text(5);
          fields.description = row.text(6);
          fields.counterparty = row.text(7);
          fields.extra_json = row.text(8);
          builder.add(fields);
          if (++count % kCheckEvery == 0) {
            if (claim.aborted()) return Error::Unavailable("the job was stopped");
            loaded(count);
          }
          return OkStatus();
        });
  }));
  // Records without amounts (a data source of customers or people): the amount column is absent.
  builder.set_has_amounts(any_amount || count == 0);
  side.table = std::move(builder).finish();
  RETURN_IF_ERROR(side.table.check_consistent());
  return side;
}

}  // namespace

Status check_amounts_for(const JobSides& sides, const engine::RuleSet& rules) {
  const auto amount_rule = std::find_if(
      rules.fields.begin(), rules.fields.end(),
      [](const engine::FieldRule& rule) { return rule.comparator == engine::Comparator::kAmount; });
  if (amount_rule == rules.fields.end()) return OkStatus();
  for (const JobSide* side : {&sides.left, &sides.right}) {
    if (side->table.has_amount) continue;
    const std::string name = side == &sides.left ? "left" : "right";
    return Error::Validation(
        "rules.fields[" + std::to_string(amount_rule - rules.fields.begin()) + "]",
        "compares amounts, but the " + name +
            " data source's records have none (its files were read with "
            "column_mapping.amount_optional and had no amount column): reconcile such records "
            "with rules that have no amount rule");
  }
  return OkStatus();
}

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
    auto side = load_side(db, source, ingest::extra_fields_read_by(rules, is_left), claim, [&](std::size_t n) {
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
