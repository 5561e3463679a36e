#pragma once
// The streamed responses of the jobs API: a job's progress as Server-Sent Events, and a job's
// results exported as CSV or JSON, page by page so memory stays constant whatever the size. They
// are renderers of the api layer, not services: they are http::ResponseStreams (the HTTP
// framework's type, which services do not see), and they only render what JobService hands out.
// Thread-safety: a stream serves one response; the JobService it reads is safe for concurrent use.

#include <memory>
#include <vector>

#include "http/exchange.h"
#include "services/job_service.h"

namespace oeuvre::api {

// Events: "retry: 2000" first; "progress" with the job's JSON view whenever its status, phase,
// progress or cancel request changes; a keep-alive comment after 15 s of silence; "end" with the
// view when the job has ended ({"id", "status": "deleted"} when it is gone). REQUIRES: the route
// checked that `actor` may read the job (the stream answers a job that vanished as "deleted").
std::shared_ptr<http::ResponseStream> make_job_event_stream(services::JobService& jobs,
                                                            security::Actor actor, Uuid job_id);

enum class ExportFormat { kCsv, kJson };

// The results of `job` matching any of `filters` (each in the results' order), one CSV line per
// record (text a spreadsheet would run as a formula gets a leading ') or a JSON array of results as
// the results page shows them. REQUIRES: `job` was read through JobService::export_job.
std::shared_ptr<http::ResponseStream> make_export_stream(services::JobService& jobs, store::Job job,
                                                         std::vector<store::ResultFilter> filters,
                                                         ExportFormat format);

}  // namespace oeuvre::api
