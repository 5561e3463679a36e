#pragma once
// Who asked, from where: carried into every audit row written while serving a request, and stored
// with the work a request queues (a job, a file to parse) for the rows and log lines of that work.

#include <string>

#include "core/utf8.h"

namespace oeuvre::services {

struct RequestMeta {
  std::string request_id;
  std::string ip;
  std::string user_agent;
  std::string trace_id = {};  // the request's W3C trace id (32 lowercase hex), or "" when none
};

// Stores the request's id and trace id with the work it queues (a store::Job, a store::StoredFile:
// their request_id and trace_id), bounded as the audit rows store them.
template <class Work>
void set_origin(Work& work, const RequestMeta& meta) {
  if (!meta.request_id.empty()) work.request_id = to_valid_utf8(meta.request_id, 128);
  if (!meta.trace_id.empty()) work.trace_id = to_valid_utf8(meta.trace_id, 32);
}

}  // namespace oeuvre::services
