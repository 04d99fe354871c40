ALTER TABLE outgoing_activities DROP COLUMN request_id;
ALTER TABLE events DROP COLUMN request_id;
