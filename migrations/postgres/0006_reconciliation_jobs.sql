-- Jobs become a queue with fenced claims, progress and cancellation; results carry what the summary and
-- the review need (amounts, counts, currency, the one record of an unmatched result, the match that holds
-- a confirmed one), ordered for keyset pagination by (confidence, id).
ALTER TABLE reconciliation_jobs
  ADD COLUMN auto_confirm boolean NOT NULL DEFAULT false,
  ADD COLUMN cancel_requested boolean NOT NULL DEFAULT false,
  ADD COLUMN records_total bigint NOT NULL DEFAULT 0,
  ADD COLUMN records_processed bigint NOT NULL DEFAULT 0,
  ADD COLUMN rerun_of uuid,
  ADD COLUMN claim_token text,
  ADD COLUMN applied_rules text NOT NULL DEFAULT '[]';
CREATE INDEX ix_jobs_project_status_created ON reconciliation_jobs (project_id, status, created_at);
CREATE INDEX ix_jobs_status_heartbeat ON reconciliation_jobs (status, heartbeat_at);

-- Results are written only by the completing job's transaction (a million rows by COPY): like records
-- (0005), they carry no foreign key to the job or project, whose per-row trigger checks would dominate
-- the load. Deleting a job deletes its results in the same transaction.
ALTER TABLE reconciliation_results DROP CONSTRAINT reconciliation_results_job_id_fkey;
ALTER TABLE reconciliation_results DROP CONSTRAINT reconciliation_results_project_id_fkey;
ALTER TABLE reconciliation_results ALTER COLUMN left_record_ids DROP DEFAULT,
  ALTER COLUMN right_record_ids DROP DEFAULT, ALTER COLUMN explanation DROP DEFAULT;
ALTER TABLE reconciliation_results ALTER COLUMN left_record_ids TYPE text USING left_record_ids::text,
  ALTER COLUMN right_record_ids TYPE text USING right_record_ids::text,
  ALTER COLUMN explanation TYPE text USING explanation::text;
ALTER TABLE reconciliation_results ALTER COLUMN left_record_ids SET DEFAULT '[]',
  ALTER COLUMN right_record_ids SET DEFAULT '[]', ALTER COLUMN explanation SET DEFAULT '[]';
ALTER TABLE reconciliation_results
  ADD COLUMN left_count integer NOT NULL DEFAULT 0,
  ADD COLUMN right_count integer NOT NULL DEFAULT 0,
  ADD COLUMN left_amount_minor bigint NOT NULL DEFAULT 0,
  ADD COLUMN right_amount_minor bigint NOT NULL DEFAULT 0,
  ADD COLUMN currency text NOT NULL DEFAULT '',
  ADD COLUMN anchor_record_id uuid,
  ADD COLUMN match_id uuid;
DROP INDEX ix_results_job_confidence;
DROP INDEX ix_results_job_status;
DROP INDEX ix_results_job_created;
CREATE INDEX ix_results_job_confidence ON reconciliation_results (job_id, confidence_score DESC, id);
CREATE INDEX ix_results_job_status ON reconciliation_results (job_id, status, confidence_score DESC, id);
CREATE INDEX ix_results_job_anchor ON reconciliation_results (job_id, anchor_record_id)
  WHERE anchor_record_id IS NOT NULL;

ALTER TABLE reconciliation_matches ALTER COLUMN left_record_ids TYPE text USING left_record_ids::text,
  ALTER COLUMN right_record_ids TYPE text USING right_record_ids::text;
CREATE INDEX ix_matches_result ON reconciliation_matches (result_id);
