ALTER TABLE instances DROP COLUMN last_refusal_at;
ALTER TABLE instances DROP COLUMN refusal_count;
DROP INDEX deliveries_refused;
ALTER TABLE deliveries DROP COLUMN refused_at;
ALTER TABLE deliveries DROP COLUMN last_response;
ALTER TABLE deliveries DROP COLUMN last_status;
