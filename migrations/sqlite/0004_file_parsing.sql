-- Parsing uploaded files in the background. files is the work queue: a worker claims the oldest
-- 'uploaded' file (one writer at a time on SQLite) and stamps it with a claim token; only the holder
-- of the token may finish it. A claim whose heartbeat (updated_at) stopped is handed to another
-- worker. The detected layout is kept for the API.
ALTER TABLE files ADD COLUMN claim_token TEXT;
ALTER TABLE files ADD COLUMN layout TEXT;
CREATE INDEX ix_files_status_updated ON files (status, updated_at);

-- Rows of a file that could not be read: line, column, the offending value and why.
CREATE TABLE file_row_errors (
  file_id TEXT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
  line INTEGER NOT NULL,
  column_name TEXT NOT NULL DEFAULT '',
  value TEXT NOT NULL DEFAULT '',
  reason TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (file_id, seq)
) WITHOUT ROWID;
