#include "services/record_service.h"

#include <boost/json.hpp>

#include "engine/record_table.h"
#include "ingest/file_parser.h"
#include "services/project_access.h"
#include "core/money.h"
#include "store/project_repository.h"
#include "store/transaction.h"

namespace oeuvre::services {

Result<PageResult<store::Record>> RecordService::list(const security::Actor& actor, const Uuid& project_id,
                                                             const store::RecordFilter& filter,
                                                             const PageRequest& page) {
  return store::with_connection(
      db_, [&](store::Connection& conn) -> Result<PageResult<store::Record>> {
        RETURN_IF_ERROR(require_project(conn, actor, project_id));
        return store::RecordRepository::list_for_project(conn, project_id, filter, page);
      });
}

void write_json(JsonWriter& w, const store::Record& r) {
  w.begin_object();
  w.key("id").uuid(r.id);
  w.key("project_id").uuid(r.project_id);
  w.key("data_source_id").uuid(r.data_source_id);
  w.key("file_id");
  r.file_id ? w.uuid(*r.file_id) : w.null();
  w.key("line").number(r.row_number);
  w.key("external_id");
  r.external_id.empty() ? w.null() : w.string(r.external_id);
  w.key("transaction_date");
  r.transaction_date ? w.string(*r.transaction_date) : w.null();
  // A record without an amount (customers, people): null amount and currency.
  if (r.has_amount()) {
    w.key("amount").string(format_minor_units(r.amount_minor, currency_scale(r.currency)));
    w.key("amount_minor").number(r.amount_minor);
    w.key("currency").string(r.currency);
  } else {
    w.key("amount").null();
    w.key("amount_minor").null();
    w.key("currency").null();
  }
  w.key("description").string(r.description);
  w.key("reference").string(r.reference);
  w.key("counterparty").string(r.counterparty);
  // Ingest writes extra as a JSON object; anything else (never expected) is shown as {}.
  w.key("extra");
  bool object = false;
  if (r.extra.size() > 2) {
    unsigned char buffer[4096];
    boost::json::monotonic_resource arena(buffer, sizeof buffer);
    boost::system::error_code ec;
    const boost::json::value extra = boost::json::parse(r.extra, ec, &arena);
    object = !ec && extra.is_object();
  }
  object ? w.raw(r.extra) : w.raw("{}");
  w.key("status").string(to_string(r.status));
  w.key("created_at").string(format_timestamp(r.created_at));
  w.end_object();
}

}  // namespace oeuvre::services
