-- Indexes for every list and lookup query the API issues (tests/integration/query_plan_test.cpp checks
-- the plans). Names are shared with the SQLite migration.
CREATE UNIQUE INDEX ux_users_email_lower ON users (lower(email));
CREATE INDEX ix_users_active ON users (created_at) WHERE is_active;
CREATE INDEX ix_users_created ON users (created_at);
CREATE INDEX ix_refresh_tokens_user ON refresh_tokens (user_id);
CREATE INDEX ix_refresh_tokens_family ON refresh_tokens (family_id);

CREATE INDEX ix_projects_owner_active ON projects (owner_id, is_active, created_at);
CREATE INDEX ix_projects_status ON projects (status);
CREATE INDEX ix_projects_active_created ON projects (created_at) WHERE is_active;

CREATE INDEX ix_data_sources_project_active ON data_sources (project_id, created_at) WHERE is_active;
CREATE INDEX ix_data_sources_project_status ON data_sources (project_id, status);

CREATE INDEX ix_files_project_status ON files (project_id, status);
CREATE INDEX ix_files_uploaded_by ON files (uploaded_by);
CREATE INDEX ix_files_data_source_sha ON files (data_source_id, sha256);

CREATE INDEX ix_records_project_date ON records (project_id, transaction_date);
CREATE INDEX ix_records_project_status ON records (project_id, status);
CREATE INDEX ix_records_data_source ON records (data_source_id);
CREATE INDEX ix_records_file ON records (file_id);

CREATE INDEX ix_jobs_project_status ON reconciliation_jobs (project_id, status);
CREATE INDEX ix_jobs_project_created ON reconciliation_jobs (project_id, created_at);
CREATE INDEX ix_jobs_status_created ON reconciliation_jobs (status, created_at);
CREATE INDEX ix_jobs_created_by ON reconciliation_jobs (created_by);

CREATE INDEX ix_results_job_confidence ON reconciliation_results (job_id, confidence_score DESC);
CREATE INDEX ix_results_job_status ON reconciliation_results (job_id, status);
CREATE INDEX ix_results_job_created ON reconciliation_results (job_id, created_at);

CREATE INDEX ix_matches_project ON reconciliation_matches (project_id);
CREATE INDEX ix_matches_confidence ON reconciliation_matches (confidence_score);

CREATE INDEX ix_audit_user_created ON audit_logs (user_id, created_at);
CREATE INDEX ix_audit_resource_created ON audit_logs (resource_type, resource_id, created_at);
CREATE INDEX ix_audit_project_created ON audit_logs (project_id, created_at);
CREATE INDEX ix_audit_created ON audit_logs (created_at);

CREATE INDEX ix_backups_started ON backups (started_at);
