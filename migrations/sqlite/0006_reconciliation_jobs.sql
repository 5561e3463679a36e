-- Jobs become a queue with fenced claims, progress and cancellation; results carry what the summary and
-- the review need, ordered for keyset pagination by (confidence, id). (PostgreSQL also drops the
-- results' foreign keys for bulk loads; SQLite's checks are cheap index probes and stay.)
ALTER TABLE reconciliation_jobs ADD COLUMN auto_confirm INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reconciliation_jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reconciliation_jobs ADD COLUMN records_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reconciliation_jobs ADD COLUMN records_processed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reconciliation_jobs ADD COLUMN rerun_of TEXT;
ALTER TABLE reconciliation_jobs ADD COLUMN claim_token TEXT;
ALTER TABLE reconciliation_jobs ADD COLUMN applied_rules TEXT NOT NULL DEFAULT '[]';
CREATE INDEX ix_jobs_project_status_created ON reconciliation_jobs (project_id, status, created_at);
CREATE INDEX ix_jobs_status_heartbeat ON reconciliation_jobs (status, heartbeat_at);

ALTER TABLE reconciliation_results ADD COLUMN left_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reconciliation_results ADD COLUMN right_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reconciliation_results ADD COLUMN left_amount_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reconciliation_results ADD COLUMN right_amount_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reconciliation_results ADD COLUMN currency TEXT NOT NULL DEFAULT '';
ALTER TABLE reconciliation_results ADD COLUMN anchor_record_id TEXT;
ALTER TABLE reconciliation_results ADD COLUMN match_id TEXT;
DROP INDEX ix_results_job_confidence;
DROP INDEX ix_results_job_status;
DROP INDEX ix_results_job_created;
CREATE INDEX ix_results_job_confidence ON reconciliation_results (job_id, confidence_score DESC, id);
CREATE INDEX ix_results_job_status ON reconciliation_results (job_id, status, confidence_score DESC, id);
CREATE INDEX ix_results_job_anchor ON reconciliation_results (job_id, anchor_record_id)
  WHERE anchor_record_id IS NOT NULL;
CREATE INDEX ix_matches_result ON reconciliation_matches (result_id);
