-- Bulk loading records: every record comes from a file, and a file already belongs to its data source
-- and project (files cascade from both). The records' own foreign keys to projects and data_sources
-- repeated that check for every row of every COPY (a trigger query per row and key), which made
-- loading a million rows several times slower. The file_id key stays: it carries the cascade when a
-- file, its data source or its project is deleted, and it pins each record to a real file.
ALTER TABLE records DROP CONSTRAINT records_project_id_fkey;
ALTER TABLE records DROP CONSTRAINT records_data_source_id_fkey;
