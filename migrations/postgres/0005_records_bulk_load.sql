-- Bulk loading records. A per-row foreign-key check (a trigger query per row and key) made loading a
-- million rows several times slower, so records carry no foreign keys on PostgreSQL. Integrity holds
-- by construction: records are written only by the parsing transaction, which ends by updating its
-- claimed file row (so a file deleted meanwhile rolls the load back), and deleting a file deletes its
-- records in the same transaction, after locking the file row (FileRepository::remove). Projects and
-- data sources are only ever soft-deleted. SQLite keeps its foreign keys (an in-process index probe
-- per row, cheap).
ALTER TABLE records DROP CONSTRAINT records_project_id_fkey;
ALTER TABLE records DROP CONSTRAINT records_data_source_id_fkey;
ALTER TABLE records DROP CONSTRAINT records_file_id_fkey;
