-- One stored copy of a file per data source: a byte-identical re-upload is refused (409), even when two
-- arrive at once. Files are listed newest first per project.
DROP INDEX ix_files_data_source_sha;
CREATE UNIQUE INDEX ux_files_data_source_sha ON files (data_source_id, sha256);
CREATE INDEX ix_files_project_created ON files (project_id, created_at);
