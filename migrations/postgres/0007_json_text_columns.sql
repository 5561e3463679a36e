-- Columns the application writes as compact JSON and reads back whole, never queried inside:
-- `json` (checked on the way in, stored and returned as written) instead of `jsonb` (decomposed into
-- its binary form on every bulk-loaded record and result, re-serialised on every read). In COPY's
-- binary format a json value is its text. Rewrites the three tables.
ALTER TABLE records ALTER COLUMN extra DROP DEFAULT;
ALTER TABLE records ALTER COLUMN extra TYPE json USING extra::json;
ALTER TABLE records ALTER COLUMN extra SET DEFAULT '{}';

ALTER TABLE reconciliation_results ALTER COLUMN left_record_ids DROP DEFAULT;
ALTER TABLE reconciliation_results ALTER COLUMN right_record_ids DROP DEFAULT;
ALTER TABLE reconciliation_results ALTER COLUMN explanation DROP DEFAULT;
ALTER TABLE reconciliation_results
  ALTER COLUMN left_record_ids TYPE json USING left_record_ids::json,
  ALTER COLUMN right_record_ids TYPE json USING right_record_ids::json,
  ALTER COLUMN explanation TYPE json USING explanation::json;
ALTER TABLE reconciliation_results ALTER COLUMN left_record_ids SET DEFAULT '[]';
ALTER TABLE reconciliation_results ALTER COLUMN right_record_ids SET DEFAULT '[]';
ALTER TABLE reconciliation_results ALTER COLUMN explanation SET DEFAULT '{}';

ALTER TABLE reconciliation_matches
  ALTER COLUMN left_record_ids TYPE json USING left_record_ids::json,
  ALTER COLUMN right_record_ids TYPE json USING right_record_ids::json;
