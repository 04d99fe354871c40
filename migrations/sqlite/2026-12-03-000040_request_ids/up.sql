-- The request that caused a change, carried to the activities it queues, so a delivery's log
-- lines can name the request (web or inbox) behind it.
ALTER TABLE events ADD COLUMN request_id TEXT;
ALTER TABLE outgoing_activities ADD COLUMN request_id TEXT;
