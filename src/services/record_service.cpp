#include "services/record_service.h"

#include <boost/json.hpp>

#include "engine/record_table.h"
#include "ingest/file_parser.h"
#include "store/project_repository.h"
#include "store/transaction.h"

namespace oeuvre::services {

Result<store::PageResult<store::Record>> RecordService::list(const security::Actor& actor, const Uuid& project_id,
                                                             const store::RecordFilter& filter,
                                                             const store::PageRequest& page) {
  return store::with_connection(db_, [&](store::Connection& conn) -> Result<store::PageResult<store::Record>> {
    ASSIGN_OR_RETURN(std::optional<store::Project> project, store::ProjectRepository::find_active(conn, project_id));
    if (!project) return Error::NotFound("project not found");
    RETURN_IF_ERROR(security::require_project_access(actor, project->owner_id));
    return store::RecordRepository::list_for_project(conn, project_id, filter, page);
  });
}

boost::json::object to_json(const store::Record& r) {
  boost::system::error_code ec;
  boost::json::value extra = boost::json::parse(r.extra, ec);
  if (ec || !extra.is_object()) extra = boost::json::object{};
  return {{"id", r.id.to_string()},
          {"project_id", r.project_id.to_string()},
          {"data_source_id", r.data_source_id.to_string()},
          {"file_id", r.file_id ? boost::json::value(r.file_id->to_string()) : nullptr},
          {"line", r.row_number},
          {"external_id", r.external_id.empty() ? boost::json::value(nullptr) : boost::json::value(r.external_id)},
          {"transaction_date", r.transaction_date ? boost::json::value(*r.transaction_date) : nullptr},
          {"amount", engine::format_minor_units(r.amount_minor, ingest::currency_scale(r.currency))},
          {"amount_minor", r.amount_minor},
          {"currency", r.currency},
          {"description", r.description},
          {"reference", r.reference},
          {"counterparty", r.counterparty},
          {"extra", std::move(extra)},
          {"status", r.status},
          {"created_at", format_timestamp(r.created_at)}};
}

}  // namespace oeuvre::services
