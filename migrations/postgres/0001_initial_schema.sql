-- Every table of the domain. Timestamps are timestamptz (UTC); money is bigint minor units + currency.
CREATE TABLE users (
  id uuid PRIMARY KEY,
  email text NOT NULL,
  password_hash text NOT NULL,
  display_name text NOT NULL DEFAULT '',
  role text NOT NULL CHECK (role IN ('admin', 'user')),
  is_active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE refresh_tokens (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id uuid NOT NULL,
  token_hash text NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  used_at timestamptz,
  revoked_at timestamptz
);

CREATE TABLE projects (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES users (id),
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
  is_active boolean NOT NULL DEFAULT true,
  version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE data_sources (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name text NOT NULL,
  kind text NOT NULL DEFAULT 'other' CHECK (kind IN ('bank', 'ledger', 'processor', 'erp', 'crm', 'other')),
  column_mapping jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'active',
  is_active boolean NOT NULL DEFAULT true,
  version bigint NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE files (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  data_source_id uuid NOT NULL REFERENCES data_sources (id) ON DELETE CASCADE,
  filename text NOT NULL DEFAULT '',
  content_type text NOT NULL DEFAULT '',
  sha256 text NOT NULL,
  size_bytes bigint NOT NULL,
  storage_key text NOT NULL,
  status text NOT NULL CHECK (status IN ('uploaded', 'parsing', 'parsed', 'failed')),
  progress double precision NOT NULL DEFAULT 0,
  rows_ok bigint NOT NULL DEFAULT 0,
  rows_failed bigint NOT NULL DEFAULT 0,
  error text,
  uploaded_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE records (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  data_source_id uuid NOT NULL REFERENCES data_sources (id) ON DELETE CASCADE,
  file_id uuid REFERENCES files (id) ON DELETE CASCADE,
  row_number bigint,
  external_id text,
  transaction_date date,
  amount_minor bigint NOT NULL,
  currency text NOT NULL,
  description text NOT NULL DEFAULT '',
  reference text NOT NULL DEFAULT '',
  counterparty text NOT NULL DEFAULT '',
  extra jsonb NOT NULL DEFAULT '{}',
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'matched', 'excluded')),
  created_at timestamptz NOT NULL
);

CREATE TABLE reconciliation_jobs (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  name text NOT NULL,
  left_data_source_id uuid NOT NULL REFERENCES data_sources (id),
  right_data_source_id uuid NOT NULL REFERENCES data_sources (id),
  rules jsonb NOT NULL DEFAULT '{}',
  confidence_threshold double precision NOT NULL CHECK (confidence_threshold >= 0 AND confidence_threshold <= 1),
  review_threshold double precision CHECK (review_threshold >= 0 AND review_threshold <= 1),
  status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
  phase text NOT NULL DEFAULT '',
  progress double precision NOT NULL DEFAULT 0,
  counters jsonb NOT NULL DEFAULT '{}',
  error text,
  attempts integer NOT NULL DEFAULT 0,
  worker_id text,
  heartbeat_at timestamptz,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL,
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz NOT NULL
);

CREATE TABLE reconciliation_results (
  id uuid PRIMARY KEY,
  job_id uuid NOT NULL REFERENCES reconciliation_jobs (id) ON DELETE CASCADE,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  match_group bigint NOT NULL,
  kind text NOT NULL CHECK (kind IN ('one_to_one', 'one_to_many', 'many_to_one', 'unmatched_left', 'unmatched_right')),
  left_record_ids jsonb NOT NULL DEFAULT '[]',
  right_record_ids jsonb NOT NULL DEFAULT '[]',
  confidence_score double precision NOT NULL CHECK (confidence_score >= 0 AND confidence_score <= 1),
  status text NOT NULL CHECK (status IN ('matched', 'suggested', 'unmatched', 'confirmed', 'rejected')),
  explanation jsonb NOT NULL DEFAULT '{}',
  version bigint NOT NULL DEFAULT 1,
  reviewed_by uuid REFERENCES users (id),
  reviewed_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE reconciliation_matches (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  job_id uuid REFERENCES reconciliation_jobs (id) ON DELETE SET NULL,
  result_id uuid REFERENCES reconciliation_results (id) ON DELETE SET NULL,
  kind text NOT NULL,
  left_record_ids jsonb NOT NULL,
  right_record_ids jsonb NOT NULL,
  confidence_score double precision NOT NULL,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL
);

CREATE TABLE audit_logs (
  id uuid PRIMARY KEY,
  user_id uuid,
  project_id uuid,
  action text NOT NULL,
  resource_type text NOT NULL,
  resource_id text,
  before jsonb,
  after jsonb,
  request_id text,
  ip text,
  user_agent text,
  created_at timestamptz NOT NULL
);

CREATE TABLE backups (
  id uuid PRIMARY KEY,
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  size_bytes bigint,
  sha256 text,
  storage_key text NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
  error text
);
