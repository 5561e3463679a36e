#include "api/service_stack.h"

#include <stdexcept>

namespace oeuvre::api {

namespace {

std::unique_ptr<cache::Cache> make_cache(const cache::CacheSettings& settings,
                                         obs::Metrics& metrics) {
  if (!settings.enabled) return nullptr;
  auto made = cache::Cache::create(settings, metrics);
  if (!made.ok()) throw std::invalid_argument(made.error().message());
  return std::move(made).value();
}

}  // namespace

ServiceStack::ServiceStack(store::Database& db, obs::Metrics& metrics,
                           services::AuthSettings auth_settings,
                           std::unique_ptr<store::BlobStore> blobs, services::IngestOptions ingest,
                           services::JobRunnerOptions jobs,
                           std::shared_ptr<backup::BackupStore> backups,
                           const cache::CacheSettings& cache)
    : blobs_(std::move(blobs)),
      cache_(make_cache(cache, metrics)),
      reads_(db, cache_.get()),
      auth_(db, std::move(auth_settings), metrics, reads_),
      users_(db, reads_),
      projects_(db, reads_),
      audit_(db),
      data_sources_(db, reads_),
      files_(db, *blobs_, ingest.spool_dir),
      records_(db),
      ingest_(db, *blobs_, metrics, ingest),
      runner_(db, metrics, jobs),
      jobs_(db, [this] { runner_.wake(); }),
      reviews_(db, reads_),
      backups_(db, std::move(backups)),
      api_{[&db] { return db.ping(); },
           metrics,
           auth_,
           users_,
           projects_,
           audit_,
           data_sources_,
           files_,
           records_,
           jobs_,
           reviews_,
           backups_,
           std::nullopt} {
  files_.on_uploaded([this] { ingest_.wake(); });
  jobs_.use_cache(reads_);
  auto data_changed = [this](const Uuid& project_id) { reads_.project_data_changed(project_id); };
  files_.on_project_data_changed(data_changed);
  ingest_.on_project_data_changed(data_changed);
  runner_.on_project_data_changed(data_changed);
}

}  // namespace oeuvre::api
