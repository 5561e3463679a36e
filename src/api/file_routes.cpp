// Uploads: POST /api/v1/data-sources/{id}/files (raw body or multipart/form-data, streamed),
// GET /api/v1/files/{id}, GET /api/v1/projects/{id}/files, DELETE /api/v1/files/{id},
// GET /api/v1/files/{id}/errors, GET /api/v1/files/{id}/statements (bank statement files),
// GET /api/v1/files/{id}/preview (with the data source's mapping), POST /api/v1/files/{id}/preview
// (with a mapping to try), POST /api/v1/files/{id}/reparse.
#include "api/api.h"
#include "core/utf8.h"
#include "http/problem.h"
#include "http/request_body.h"
#include "http/upload.h"
#include "services/file_service.h"

namespace oeuvre::api {

namespace {
using http::beast_http::status;
using http::beast_http::verb;

// The upload's name: the multipart part's filename, else ?filename= (none is allowed). Like other
// names it is valid UTF-8 without control characters (NUL, CR, LF, TAB, ...), on every backend;
// 400 naming "filename" otherwise. Longer than 255 bytes, the service cuts it.
Result<std::string> upload_filename(const http::Exchange& ex, const http::UploadedFile& file) {
  std::string filename = file.filename();
  if (filename.empty()) filename = std::string(ex.query("filename").value_or(""));
  std::string problem;
  if (!is_valid_utf8(filename)) {
    problem = "must be valid UTF-8 text";
  } else if (has_control_characters(filename)) {
    problem = "must not contain control characters";
  }
  if (problem.empty()) return filename;
  return Error(ErrorCode::kBadRequest, "invalid filename", {FieldError{"filename", problem}});
}

// An upload's statement read, started while its body arrives, kept with the upload.
struct StatementReadWork final : http::UploadWork {
  std::unique_ptr<services::StatementRead> read;
};

}  // namespace

void add_file_routes(http::Router& router, ApiServices& services) {
  router.add_upload(
      verb::post, "/api/v1/data-sources/{id}/files", http::Access::kAuthenticated,
      // Before the body: another user's or an unknown data source answers 404 at once. An
      // admitted upload's statements (when it is a bank statement file) are read as it arrives.
      [&services](http::Exchange& ex) -> Status {
        ASSIGN_OR_RETURN(Uuid data_source_id, http::path_uuid(ex, "id"));
        RETURN_IF_ERROR(services.files.check_upload(actor_of(ex), data_source_id));
        if (ex.upload) {
          auto head = ex.upload->follow();
          auto body = ex.upload->follow();
          if (head.ok() && body.ok()) {
            auto work = std::make_shared<StatementReadWork>();
            work->read = services.files.start_statement_read(std::move(head).value(),
                                                             std::move(body).value());
            if (work->read) ex.upload->keep(std::move(work));
          }
        }
        return OkStatus();
      },
      [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
        ASSIGN_OR_RETURN(Uuid data_source_id, http::path_uuid(ex, "id"));
        if (!ex.upload) return Error::BadRequest("the file must be sent as the request body");
        ASSIGN_OR_RETURN(std::shared_ptr<http::UploadedFile> file, ex.upload->finish());
        if (file->size() == 0) return Error::Validation("file", "is empty (0 bytes)");
        ASSIGN_OR_RETURN(std::string filename, upload_filename(ex, *file));
        services::IncomingFile incoming{file->path(), static_cast<std::int64_t>(file->size()),
                                        file->sha256_hex(), filename, file->content_type()};
        const std::shared_ptr<http::UploadWork> work = ex.upload->take_work();
        if (const auto* read = dynamic_cast<const StatementReadWork*>(work.get()))
          incoming.statements = read->read.get();
        ASSIGN_OR_RETURN(
            store::StoredFile stored,
            services.files.upload(actor_of(ex), data_source_id, incoming, request_meta(ex)));
        auto res = http::json_response(status::created, services::to_json(stored));
        res.set(http::beast_http::field::location, "/api/v1/files/" + stored.id.to_string());
        return res;
      });

  router.add(verb::get, "/api/v1/files/{id}", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(store::StoredFile file, services.files.get(actor_of(ex), id));
               return http::json_response(status::ok, services::to_json(file));
             });

  router.add(verb::get, "/api/v1/projects/{id}/files", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid project_id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(PageRequest page, http::read_page(ex));
               std::optional<FileStatus> status_filter;
               if (auto s = ex.query("status")) {
                 status_filter = parse_file_status(*s);
                 if (!status_filter) {
                   return Error(
                       ErrorCode::kBadRequest, "invalid filter",
                       {FieldError{"status", "must be one of: uploaded, parsing, parsed, failed"}});
                 }
               }
               ASSIGN_OR_RETURN(auto result,
                                services.files.list(actor_of(ex), project_id, status_filter, page));
               return page_response(result, page);
             });

  router.add(verb::delete_, "/api/v1/files/{id}", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               RETURN_IF_ERROR(services.files.remove(actor_of(ex), id, request_meta(ex)));
               return http::no_content();
             });

  // Parses the file again with its data source's current mapping. The body is empty or {}.
  router.add(verb::post, "/api/v1/files/{id}/reparse", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               if (!ex.request.body().empty()) {
                 ASSIGN_OR_RETURN(boost::json::object body, http::read_json_object(ex));
                 http::FieldReader in(body);
                 RETURN_IF_ERROR(in.finish());  // no fields: any is unknown (422)
               }
               ASSIGN_OR_RETURN(store::StoredFile file,
                                services.files.reparse(actor_of(ex), id, request_meta(ex)));
               auto res = http::json_response(status::accepted, services::to_json(file));
               res.set(http::beast_http::field::location, "/api/v1/files/" + file.id.to_string());
               return res;
             });

  router.add(verb::get, "/api/v1/files/{id}/errors", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(PageRequest page, http::read_page(ex));
               ASSIGN_OR_RETURN(auto result, services.files.row_errors(actor_of(ex), id, page));
               return page_response(result, page);
             });

  router.add(verb::get, "/api/v1/files/{id}/statements", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(PageRequest page, http::read_page(ex));
               ASSIGN_OR_RETURN(auto result, services.files.statements(actor_of(ex), id, page));
               return page_response(result, page);
             });

  router.add(
      verb::get, "/api/v1/files/{id}/preview", http::Access::kAuthenticated,
      [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
        ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
        ASSIGN_OR_RETURN(std::optional<std::int64_t> rows, http::query_int(ex, "rows", 1, 100));
        ASSIGN_OR_RETURN(
            ingest::Preview preview,
            services.files.preview(actor_of(ex), id, static_cast<std::size_t>(rows.value_or(20))));
        return http::json_response(status::ok, services::to_json(preview));
      });

  // A mapping tried before it is saved: {"column_mapping": {...}, "rows": 20}. The mapping is
  // validated as a data source's (422 naming column_mapping.<path>) and stored nowhere.
  router.add(verb::post, "/api/v1/files/{id}/preview", http::Access::kAuthenticated,
             [&services](http::Exchange& ex) -> Result<http::HttpResponse> {
               ASSIGN_OR_RETURN(Uuid id, http::path_uuid(ex, "id"));
               ASSIGN_OR_RETURN(boost::json::object body, http::read_json_object(ex));
               const boost::json::object fields = without_column_mapping(body);
               http::FieldReader in(fields);
               const std::optional<double> rows = in.optional_number("rows", 1, 100);
               if (rows && *rows != static_cast<double>(static_cast<std::int64_t>(*rows)))
                 in.add_error("rows", "must be a whole number from 1 to 100");
               const std::optional<ingest::ColumnMapping> mapping = read_column_mapping(body, in);
               const boost::json::value* raw_mapping = body.if_contains("column_mapping");
               if (raw_mapping == nullptr || raw_mapping->is_null())
                 in.add_error("column_mapping",
                              "is required: the mapping to preview the file with");
               RETURN_IF_ERROR(in.finish());
               ASSIGN_OR_RETURN(
                   ingest::Preview preview,
                   services.files.preview(actor_of(ex), id,
                                          static_cast<std::size_t>(rows.value_or(20)), mapping));
               return http::json_response(status::ok, services::to_json(preview));
             });
}

}  // namespace oeuvre::api
