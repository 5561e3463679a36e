#include "api/service_stack.h"

namespace oeuvre::api {

ServiceStack::ServiceStack(store::Database& db, obs::Metrics& metrics, services::AuthSettings auth_settings,
                           std::unique_ptr<store::BlobStore> blobs, services::IngestOptions ingest,
                           services::JobRunnerOptions jobs,
                           std::shared_ptr<backup::BackupStore> backups)
    : blobs_(std::move(blobs)),
      auth_(db, std::move(auth_settings), metrics),
      users_(db),
      projects_(db),
      audit_(db),
      data_sources_(db),
      files_(db, *blobs_),
      records_(db),
      ingest_(db, *blobs_, metrics, ingest),
      runner_(db, metrics, jobs),
      jobs_(db, [this] { runner_.wake(); }),
      reviews_(db),
      backups_(db, std::move(backups)),
      api_{[&db] { return db.ping(); }, metrics, auth_, users_, projects_, audit_, data_sources_,
           files_, records_, jobs_, reviews_, backups_, std::nullopt} {
  files_.on_uploaded([this] { ingest_.wake(); });
}

}  // namespace oeuvre::api
