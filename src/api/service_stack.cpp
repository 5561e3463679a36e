#include "api/service_stack.h"

namespace oeuvre::api {

ServiceStack::ServiceStack(store::Database& db, obs::Metrics& metrics, services::AuthSettings auth_settings,
                           std::unique_ptr<store::BlobStore> blobs)
    : blobs_(std::move(blobs)),
      auth_(db, std::move(auth_settings), metrics),
      users_(db),
      projects_(db),
      audit_(db),
      data_sources_(db),
      files_(db, *blobs_),
      api_{db, metrics, auth_, users_, projects_, audit_, data_sources_, files_} {}

}  // namespace oeuvre::api
