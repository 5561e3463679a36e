-- Every table of the domain. Timestamps are ISO 8601 UTC TEXT with 6 fractional digits (so TEXT order is
-- time order); money is INTEGER minor units + currency; booleans are 0/1; JSON is TEXT.
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  display_name TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
  is_active INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE refresh_tokens (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  expires_at TEXT NOT NULL,
  created_at TEXT NOT NULL,
  used_at TEXT,
  revoked_at TEXT
);

CREATE TABLE projects (
  id TEXT PRIMARY KEY,
  owner_id TEXT NOT NULL REFERENCES users (id),
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
  is_active INTEGER NOT NULL DEFAULT 1,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE data_sources (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  kind TEXT NOT NULL DEFAULT 'other' CHECK (kind IN ('bank', 'ledger', 'processor', 'erp', 'crm', 'other')),
  column_mapping TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'active',
  is_active INTEGER NOT NULL DEFAULT 1,
  version INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE files (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  data_source_id TEXT NOT NULL REFERENCES data_sources (id) ON DELETE CASCADE,
  filename TEXT NOT NULL DEFAULT '',
  content_type TEXT NOT NULL DEFAULT '',
  sha256 TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  storage_key TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('uploaded', 'parsing', 'parsed', 'failed')),
  progress REAL NOT NULL DEFAULT 0,
  rows_ok INTEGER NOT NULL DEFAULT 0,
  rows_failed INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  uploaded_by TEXT REFERENCES users (id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE records (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  data_source_id TEXT NOT NULL REFERENCES data_sources (id) ON DELETE CASCADE,
  file_id TEXT REFERENCES files (id) ON DELETE CASCADE,
  row_number INTEGER,
  external_id TEXT,
  transaction_date TEXT,
  amount_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  reference TEXT NOT NULL DEFAULT '',
  counterparty TEXT NOT NULL DEFAULT '',
  extra TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'matched', 'excluded')),
  created_at TEXT NOT NULL
);

CREATE TABLE reconciliation_jobs (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  left_data_source_id TEXT NOT NULL REFERENCES data_sources (id),
  right_data_source_id TEXT NOT NULL REFERENCES data_sources (id),
  rules TEXT NOT NULL DEFAULT '{}',
  confidence_threshold REAL NOT NULL CHECK (confidence_threshold >= 0 AND confidence_threshold <= 1),
  review_threshold REAL CHECK (review_threshold >= 0 AND review_threshold <= 1),
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
  phase TEXT NOT NULL DEFAULT '',
  progress REAL NOT NULL DEFAULT 0,
  counters TEXT NOT NULL DEFAULT '{}',
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  worker_id TEXT,
  heartbeat_at TEXT,
  created_by TEXT REFERENCES users (id),
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  updated_at TEXT NOT NULL
);

CREATE TABLE reconciliation_results (
  id TEXT PRIMARY KEY,
  job_id TEXT NOT NULL REFERENCES reconciliation_jobs (id) ON DELETE CASCADE,
  project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  match_group INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('one_to_one', 'one_to_many', 'many_to_one', 'unmatched_left', 'unmatched_right')),
  left_record_ids TEXT NOT NULL DEFAULT '[]',
  right_record_ids TEXT NOT NULL DEFAULT '[]',
  confidence_score REAL NOT NULL CHECK (confidence_score >= 0 AND confidence_score <= 1),
  status TEXT NOT NULL CHECK (status IN ('matched', 'suggested', 'unmatched', 'confirmed', 'rejected')),
  explanation TEXT NOT NULL DEFAULT '{}',
  version INTEGER NOT NULL DEFAULT 1,
  reviewed_by TEXT REFERENCES users (id),
  reviewed_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE reconciliation_matches (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  job_id TEXT REFERENCES reconciliation_jobs (id) ON DELETE SET NULL,
  result_id TEXT REFERENCES reconciliation_results (id) ON DELETE SET NULL,
  kind TEXT NOT NULL,
  left_record_ids TEXT NOT NULL,
  right_record_ids TEXT NOT NULL,
  confidence_score REAL NOT NULL,
  created_by TEXT REFERENCES users (id),
  created_at TEXT NOT NULL
);

CREATE TABLE audit_logs (
  id TEXT PRIMARY KEY,
  user_id TEXT,
  project_id TEXT,
  action TEXT NOT NULL,
  resource_type TEXT NOT NULL,
  resource_id TEXT,
  before TEXT,
  after TEXT,
  request_id TEXT,
  ip TEXT,
  user_agent TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE backups (
  id TEXT PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  size_bytes INTEGER,
  sha256 TEXT,
  storage_key TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
  error TEXT
);
