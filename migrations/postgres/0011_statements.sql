-- Bank statements (issue 18): one row per statement of an uploaded bank file (camt.052/053/054,
-- MT940, BAI2, OFX), written in the upload's transaction with the file row, so that the same
-- statement uploaded again (the same account and statement id, or the same content: fingerprint)
-- is refused before anything is stored. balances: a JSON array of every balance the bank gave
-- ({"type","code","amount","amount_minor","currency","date"}); balance_difference_minor:
-- closing - (opening + transactions), NULL when the statement cannot be checked; identity: ''
-- when the statement has no id.
CREATE TABLE statements (
  id uuid PRIMARY KEY,
  file_id uuid NOT NULL REFERENCES files (id) ON DELETE CASCADE,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  data_source_id uuid NOT NULL REFERENCES data_sources (id) ON DELETE CASCADE,
  position bigint NOT NULL,
  format text NOT NULL,
  account text NOT NULL,
  currency text NOT NULL,
  statement_id text NOT NULL,
  sequence text NOT NULL,
  message_id text NOT NULL,
  period_start date,
  period_end date,
  opening_minor bigint,
  opening_date date,
  closing_minor bigint,
  closing_date date,
  balances text NOT NULL,
  transactions bigint NOT NULL,
  problems bigint NOT NULL,
  transactions_sum_minor bigint NOT NULL,
  balance_difference_minor bigint,
  warning text,
  identity text NOT NULL,
  fingerprint text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX statements_file ON statements (file_id, position);
CREATE INDEX statements_identity ON statements (data_source_id, identity);
CREATE INDEX statements_fingerprint ON statements (data_source_id, fingerprint);
