#pragma once
// Who asked, from where: carried into every audit row written while serving a request.

#include <string>

namespace oeuvre::services {

struct RequestMeta {
  std::string request_id;
  std::string ip;
  std::string user_agent;
};

}  // namespace oeuvre::services
