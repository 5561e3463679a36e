-- PostgreSQL drops the records' foreign keys here (see its 0005: a trigger query per row and key made
-- bulk loads several times slower). SQLite checks foreign keys with an in-process index probe, cheap
-- enough to keep, and cannot drop a constraint without rebuilding the table; nothing to change.
SELECT 1;
