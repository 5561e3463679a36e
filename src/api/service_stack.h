#pragma once
// The services behind the API, built in one place: ServerApp, the OpenAPI drift test and the
// integration-test helpers all assemble the same set, so adding a service touches this file only.
// Members are constructed in declaration order and destroyed in reverse; the stack borrows the
// database and the metrics registry, which must outlive it. The cache settings must have been
// validated (cache::Cache::create accepts them; ServerApp checks REDIS_URL first): the constructor
// throws std::invalid_argument otherwise.

#include <memory>

#include "api/api.h"
#include "cache/cache.h"
#include "services/backup_status_service.h"
#include "services/cached_reads.h"
#include "services/file_ingest_service.h"
#include "services/file_service.h"
#include "services/job_runner.h"
#include "services/job_service.h"
#include "services/record_service.h"
#include "services/review_service.h"
#include "store/blob_store.h"

namespace oeuvre::api {

class ServiceStack {
 public:
  ServiceStack(store::Database& db, obs::Metrics& metrics, services::AuthSettings auth_settings,
               std::unique_ptr<store::BlobStore> blobs, services::IngestOptions ingest = {},
               services::JobRunnerOptions jobs = {},
               std::shared_ptr<backup::BackupStore> backups = nullptr,
               const cache::CacheSettings& cache = {});
  ServiceStack(const ServiceStack&) = delete;
  ServiceStack& operator=(const ServiceStack&) = delete;

  ApiServices& api() { return api_; }
  services::AuthService& auth() { return auth_; }
  // Background parsing of uploads: not started by the constructor (start()/stop() it with the
  // server).
  services::FileIngestService& ingest() { return ingest_; }
  // Background reconciliation jobs: likewise started and stopped with the server.
  services::JobRunner& jobs() { return runner_; }

 private:
  std::unique_ptr<store::BlobStore> blobs_;
  std::unique_ptr<cache::Cache> cache_;
  services::CachedReads reads_;
  services::AuthService auth_;
  services::UserService users_;
  services::ProjectService projects_;
  services::AuditService audit_;
  services::DataSourceService data_sources_;
  services::FileService files_;
  services::RecordService records_;
  services::FileIngestService ingest_;
  services::JobRunner runner_;
  services::JobService jobs_;
  services::ReviewService reviews_;
  services::BackupStatusService backups_;
  ApiServices api_;
};

}  // namespace oeuvre::api
