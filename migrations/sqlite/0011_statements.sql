-- Bank statements (issue 18): one row per statement of an uploaded bank file (camt.052/053/054,
-- MT940, BAI2, OFX), written in the upload's transaction with the file row, so that the same
-- statement uploaded again (the same account and statement id, or the same content: fingerprint)
-- is refused before anything is stored. balances: a JSON array of every balance the bank gave
-- ({"type","code","amount","amount_minor","currency","date"}); balance_difference_minor:
-- closing - (opening + transactions), NULL when the statement cannot be checked; identity: ''
-- when the statement has no id.
CREATE TABLE statements (
  id TEXT PRIMARY KEY,
  file_id TEXT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
  project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  data_source_id TEXT NOT NULL REFERENCES data_sources (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  format TEXT NOT NULL,
  account TEXT NOT NULL,
  currency TEXT NOT NULL,
  statement_id TEXT NOT NULL,
  sequence TEXT NOT NULL,
  message_id TEXT NOT NULL,
  period_start TEXT,
  period_end TEXT,
  opening_minor INTEGER,
  opening_date TEXT,
  closing_minor INTEGER,
  closing_date TEXT,
  balances TEXT NOT NULL,
  transactions INTEGER NOT NULL,
  problems INTEGER NOT NULL,
  transactions_sum_minor INTEGER NOT NULL,
  balance_difference_minor INTEGER,
  warning TEXT,
  identity TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX statements_file ON statements (file_id, position);
CREATE INDEX statements_identity ON statements (data_source_id, identity);
CREATE INDEX statements_fingerprint ON statements (data_source_id, fingerprint);
