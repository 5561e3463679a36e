// GET /api/v1/admin/backups: the backups and the last scheduled run that succeeded and failed (admins;
// anyone else gets 404, see security::require_backup_status_access).
#include "api/api.h"
#include "http/problem.h"

namespace oeuvre::api {

namespace {

namespace json = boost::json;
using http::beast_http::status;
using http::beast_http::verb;

json::value verification_json(const std::optional<backup::Verification>& v) {
  if (!v) return nullptr;
  return json::object{{"ok", v->ok},
                      {"verified_at", format_timestamp(v->verified_at)},
                      {"detail", v->detail},
                      {"duration_seconds", v->duration_seconds}};
}

json::object backup_json(const backup::ListedBackup& listed) {
  if (!listed.manifest) return {{"id", listed.id}, {"readable", false}, {"problem", listed.problem}};
  const backup::Manifest& m = *listed.manifest;
  std::int64_t rows = 0;
  for (const auto& count : m.row_counts) rows += count.rows;
  return {{"id", m.id},
          {"readable", true},
          {"created_at", format_timestamp(m.created_at)},
          {"source_kind", backup::to_string(m.source_kind)},
          {"size_bytes", m.archive_bytes},
          {"duration_seconds", m.duration_seconds},
          {"row_count", rows},
          {"file_count", m.file_count},
          {"verification", verification_json(m.verification)}};
}

json::value run_json(const std::optional<store::BackupRun>& run) {
  if (!run) return nullptr;
  json::object out{{"backup_id", run->storage_key},
                   {"started_at", format_timestamp(run->started_at)},
                   {"finished_at", run->finished_at ? json::value(format_timestamp(*run->finished_at)) : nullptr}};
  if (run->size_bytes) out["size_bytes"] = *run->size_bytes;
  if (run->error) out["error"] = *run->error;
  return out;
}

}  // namespace

void add_backup_routes(http::Router& router, ApiServices& services) {
  router.add(verb::get, "/api/v1/admin/backups", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(services::BackupStatusView view, services.backups.status(actor_of(ex)));
               json::array items;
               for (auto it = view.backups.rbegin(); it != view.backups.rend(); ++it) items.push_back(backup_json(*it));
               return http::json_response(status::ok, json::object{{"storage", view.storage},
                                                                   {"items", std::move(items)},
                                                                   {"last_success", run_json(view.last_success)},
                                                                   {"last_failure", run_json(view.last_failure)}});
             });
}

}  // namespace oeuvre::api
