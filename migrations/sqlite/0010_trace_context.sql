-- Tracing across work (issue 15): a job or a file to parse keeps the request id and the W3C trace id
-- of the request that queued it, so the worker that claims it writes them into every log line and
-- audit row of that work; audit rows keep the trace id beside the request id. NULL: written before
-- this migration, or by no request (the CLI).
ALTER TABLE reconciliation_jobs ADD COLUMN request_id TEXT;
ALTER TABLE reconciliation_jobs ADD COLUMN trace_id TEXT;
ALTER TABLE files ADD COLUMN request_id TEXT;
ALTER TABLE files ADD COLUMN trace_id TEXT;
ALTER TABLE audit_logs ADD COLUMN trace_id TEXT;
