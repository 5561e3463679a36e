-- Parsing uploaded files in the background. files is the work queue: a worker claims the oldest
-- 'uploaded' file (FOR UPDATE SKIP LOCKED, so several nodes share the work) and stamps it with a
-- claim token; only the holder of the token may finish it. A claim whose heartbeat (updated_at)
-- stopped is handed to another worker. The detected layout is kept for the API.
ALTER TABLE files ADD COLUMN claim_token text;
ALTER TABLE files ADD COLUMN layout jsonb;
CREATE INDEX ix_files_status_updated ON files (status, updated_at);

-- Rows of a file that could not be read: line, column, the offending value and why.
CREATE TABLE file_row_errors (
  file_id uuid NOT NULL REFERENCES files (id) ON DELETE CASCADE,
  line bigint NOT NULL,
  column_name text NOT NULL DEFAULT '',
  value text NOT NULL DEFAULT '',
  reason text NOT NULL,
  seq integer NOT NULL,
  PRIMARY KEY (file_id, seq)
);
