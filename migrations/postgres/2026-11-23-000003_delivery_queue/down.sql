ALTER TABLE instances DROP COLUMN last_success_at;
ALTER TABLE instances DROP COLUMN dead_since;
ALTER TABLE instances DROP COLUMN failure_count;
DROP TABLE deliveries;
DROP TABLE outgoing_activities;
