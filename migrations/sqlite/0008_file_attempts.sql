-- Files join jobs in the one claim protocol (services/claimed_work.h): attempts counts the claims of a
-- file, so a file whose worker keeps dying, or whose records cannot be stored, fails with a reason
-- after INGEST_MAX_ATTEMPTS claims instead of being retried forever.
ALTER TABLE files ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
