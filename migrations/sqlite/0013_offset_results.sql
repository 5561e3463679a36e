-- Offsets (issue 17): a record and its reversal on one side form a result of kind 'offset' (its
-- records all in left_record_ids or all in right_record_ids).
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt the way SQLite's ALTER TABLE
-- documentation prescribes (new table, copy, drop, rename, indexes), with foreign keys off so that
-- dropping the old table runs no ON DELETE action on reconciliation_matches.result_id; the runner
-- then checks every foreign key before it commits.
-- oeuvre: foreign_keys off
CREATE TABLE reconciliation_results_new (
  id TEXT PRIMARY KEY,
  job_id TEXT NOT NULL REFERENCES reconciliation_jobs (id) ON DELETE CASCADE,
  project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  match_group INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('one_to_one', 'one_to_many', 'many_to_one', 'offset', 'unmatched_left', 'unmatched_right')),
  left_record_ids TEXT NOT NULL DEFAULT '[]',
  right_record_ids TEXT NOT NULL DEFAULT '[]',
  confidence_score REAL NOT NULL CHECK (confidence_score >= 0 AND confidence_score <= 1),
  status TEXT NOT NULL CHECK (status IN ('matched', 'suggested', 'unmatched', 'confirmed', 'rejected')),
  explanation TEXT NOT NULL DEFAULT '{}',
  version INTEGER NOT NULL DEFAULT 1,
  reviewed_by TEXT REFERENCES users (id),
  reviewed_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  left_count INTEGER NOT NULL DEFAULT 0,
  right_count INTEGER NOT NULL DEFAULT 0,
  left_amount_minor INTEGER NOT NULL DEFAULT 0,
  right_amount_minor INTEGER NOT NULL DEFAULT 0,
  currency TEXT NOT NULL DEFAULT '',
  anchor_record_id TEXT,
  match_id TEXT,
  held TEXT,
  alternatives TEXT NOT NULL DEFAULT '[]'
);
INSERT INTO reconciliation_results_new
  SELECT id, job_id, project_id, match_group, kind, left_record_ids, right_record_ids,
         confidence_score, status, explanation, version, reviewed_by, reviewed_at, created_at,
         updated_at, left_count, right_count, left_amount_minor, right_amount_minor, currency,
         anchor_record_id, match_id, held, alternatives
  FROM reconciliation_results;
DROP TABLE reconciliation_results;
ALTER TABLE reconciliation_results_new RENAME TO reconciliation_results;
CREATE INDEX ix_results_job_confidence ON reconciliation_results (job_id, confidence_score DESC, id);
CREATE INDEX ix_results_job_status ON reconciliation_results (job_id, status, confidence_score DESC, id);
CREATE INDEX ix_results_job_anchor ON reconciliation_results (job_id, anchor_record_id)
  WHERE anchor_record_id IS NOT NULL;
