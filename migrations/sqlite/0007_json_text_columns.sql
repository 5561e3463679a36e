-- PostgreSQL turns its jsonb columns that hold application-written JSON into json here (see its
-- 0007). SQLite stores that JSON as text already; nothing to change.
SELECT 1;
