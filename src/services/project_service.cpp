#include "services/project_service.h"

#include "core/money.h"
#include "services/audit_trail.h"
#include "services/project_access.h"
#include "services/views.h"
#include "store/project_repository.h"
#include "store/transaction.h"

namespace oeuvre::services {

Result<store::Project> ProjectService::create(const security::Actor& actor, std::string name,
                                              std::string description, const RequestMeta& meta) {
  store::Project project;
  project.id = Uuid::generate_v4();
  project.owner_id = actor.user_id;
  project.name = std::move(name);
  project.description = std::move(description);
  project.status = ProjectStatus::kActive;
  project.is_active = true;
  project.version = 1;
  project.created_at = project.updated_at = now_utc();
  auto created =
      store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<store::Project> {
        RETURN_IF_ERROR(store::ProjectRepository::insert(conn, project));
        RETURN_IF_ERROR(record_audit(
            conn, meta,
            {actor.user_id, project.id, "project.create", "project", project.id.to_string(),
             std::nullopt, boost::json::value(to_json(project))}));
        return project;
      });
  if (created.ok()) reads_.project_changed(created->id, created->owner_id);
  return created;
}

Result<store::Project> ProjectService::get(const security::Actor& actor, const Uuid& id) {
  return reads_.require_project(actor, id);
}

Result<PageResult<store::Project>> ProjectService::list(const security::Actor& actor,
                                                        const std::optional<Uuid>& owner_filter,
                                                        const std::optional<ProjectStatus>& status,
                                                        const PageRequest& page) {
  store::ProjectFilter filter;
  filter.status = status;
  if (actor.is_admin()) {
    filter.owner_id = owner_filter;
  } else {
    filter.owner_id = actor.user_id;  // a user lists only what they own, whatever they ask for
  }
  return reads_.project_page(filter, page);
}

Result<store::Project> ProjectService::update(const security::Actor& actor, const Uuid& id,
                                              const ProjectChanges& changes,
                                              const RequestMeta& meta) {
  bool changed = false;
  auto updated =
      store::in_transaction(db_, true, [&](store::Connection& conn) -> Result<store::Project> {
        ASSIGN_OR_RETURN(store::Project before, require_project(conn, actor, id));
        if (changes.expected_version && *changes.expected_version != before.version) {
          return Error::Conflict("the project is at version " + std::to_string(before.version) +
                                 ", not " + std::to_string(*changes.expected_version) +
                                 "; reload it");
        }
        store::Project after = before;
        if (changes.name) after.name = *changes.name;
        if (changes.description) after.description = *changes.description;
        if (changes.status) after.status = *changes.status;
        if (after.name == before.name && after.description == before.description &&
            after.status == before.status) {
          return before;  // nothing changes: no write, no new version, no audit row
        }
        after.version = before.version + 1;
        after.updated_at = now_utc();
        RETURN_IF_ERROR(store::ProjectRepository::update(conn, after));
        RETURN_IF_ERROR(record_audit(
            conn, meta,
            {actor.user_id, after.id, "project.update", "project", after.id.to_string(),
             boost::json::value(to_json(before)), boost::json::value(to_json(after))}));
        changed = true;
        return after;
      });
  if (updated.ok() && changed) reads_.project_changed(updated->id, updated->owner_id);
  return updated;
}

Status ProjectService::remove(const security::Actor& actor, const Uuid& id,
                              const RequestMeta& meta) {
  std::optional<Uuid> owner;
  Status removed = store::in_transaction(db_, true, [&](store::Connection& conn) -> Status {
    ASSIGN_OR_RETURN(store::Project before, require_project(conn, actor, id));
    store::Project after = before;
    after.is_active = false;
    after.version = before.version + 1;
    after.updated_at = now_utc();
    RETURN_IF_ERROR(store::ProjectRepository::update(conn, after));
    owner = before.owner_id;
    return record_audit(conn, meta,
                        {actor.user_id, before.id, "project.delete", "project",
                         before.id.to_string(), boost::json::value(to_json(before)), std::nullopt});
  });
  if (removed.ok() && owner) reads_.project_changed(id, *owner);
  return removed;
}

namespace {

boost::json::object record_stats_json(const Uuid& project_id,
                                      const store::ProjectRecordStats& stats) {
  // Records per data source, with a count per status (every status present, zeros included).
  boost::json::array sources;
  std::int64_t by_status[3] = {0, 0, 0};
  for (const store::ProjectRecordCount& row : stats.records) {
    if (sources.empty() || sources.back().as_object().at("data_source_id").as_string() !=
                               row.data_source_id.to_string()) {
      sources.push_back(boost::json::object{{"data_source_id", row.data_source_id.to_string()},
                                            {"name", row.data_source_name},
                                            {"total", 0},
                                            {"open", 0},
                                            {"matched", 0},
                                            {"excluded", 0}});
    }
    boost::json::object& source = sources.back().as_object();
    source["total"] = source["total"].as_int64() + row.count;
    source[to_string(row.status)] = source[to_string(row.status)].as_int64() + row.count;
    by_status[static_cast<int>(row.status)] += row.count;
  }
  const std::int64_t open = by_status[static_cast<int>(RecordStatus::kOpen)];
  const std::int64_t matched = by_status[static_cast<int>(RecordStatus::kMatched)];
  const std::int64_t excluded = by_status[static_cast<int>(RecordStatus::kExcluded)];
  // Amounts per currency, as decimal text in the currency's own scale.
  boost::json::array amounts;
  for (const store::ProjectAmountTotal& row : stats.amounts) {
    if (row.currency.empty()) continue;  // records without amounts (customers, people)
    if (amounts.empty() || amounts.back().as_object().at("currency").as_string() != row.currency) {
      amounts.push_back(boost::json::object{{"currency", row.currency},
                                            {"records", 0},
                                            {"total_minor", 0},
                                            {"reconciled_minor", 0},
                                            {"open_minor", 0}});
    }
    boost::json::object& currency = amounts.back().as_object();
    currency["records"] = currency["records"].as_int64() + row.count;
    currency["total_minor"] = currency["total_minor"].as_int64() + row.amount_minor;
    if (row.status == RecordStatus::kMatched) currency["reconciled_minor"] = row.amount_minor;
    if (row.status == RecordStatus::kOpen) currency["open_minor"] = row.amount_minor;
  }
  for (auto& value : amounts) {
    boost::json::object& currency = value.as_object();
    const int scale = currency_scale(currency.at("currency").as_string());
    for (const char* field : {"total", "reconciled", "open"}) {
      currency[field] =
          format_minor_units(currency.at(std::string(field) + "_minor").as_int64(), scale);
    }
  }
  boost::json::object out{
      {"project_id", project_id.to_string()},
      {"records", boost::json::object{{"total", open + matched + excluded},
                                      {"open", open},
                                      {"matched", matched},
                                      {"excluded", excluded}}},
      {"data_sources", std::move(sources)},
      {"amounts", std::move(amounts)},
      {"computed_at", format_timestamp(now_utc())},
  };
  // Of the records still in play (not excluded), the share matched; null with none.
  if (open + matched > 0) {
    out["match_rate"] = static_cast<double>(matched) / static_cast<double>(open + matched);
  } else {
    out["match_rate"] = nullptr;
  }
  return out;
}

}  // namespace

Result<std::string> ProjectService::stats(const security::Actor& actor, const Uuid& id) {
  RETURN_IF_ERROR(reads_.require_project(actor, id));
  // The records' part is the costly one and is cached; jobs change state without a request (a
  // worker claims one), so they are counted afresh each time (one indexed query).
  ASSIGN_OR_RETURN(std::string records, reads_.project_stats(id, [&]() -> Result<std::string> {
    ASSIGN_OR_RETURN(store::ProjectRecordStats stats,
                     store::with_connection(db_, [&](store::Connection& conn) {
                       return store::ProjectRepository::record_stats(conn, id);
                     }));
    return boost::json::serialize(record_stats_json(id, stats));
  }));
  ASSIGN_OR_RETURN(std::vector<store::ProjectJobCount> job_counts,
                   store::with_connection(db_, [&](store::Connection& conn) {
                     return store::ProjectRepository::job_counts(conn, id);
                   }));
  boost::system::error_code ec;
  boost::json::value out = boost::json::parse(records, ec);
  if (ec || !out.is_object()) return Error::Internal("the cached statistics could not be read");
  boost::json::object jobs{
      {"queued", 0}, {"running", 0}, {"completed", 0}, {"failed", 0}, {"cancelled", 0}};
  for (const store::ProjectJobCount& row : job_counts) jobs[to_string(row.status)] = row.count;
  out.as_object()["jobs"] = std::move(jobs);
  return boost::json::serialize(out);
}

}  // namespace oeuvre::services
