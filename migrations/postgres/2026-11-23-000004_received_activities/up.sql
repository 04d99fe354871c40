-- Ids of activities already applied: a replayed (or re-delivered) activity is acknowledged and
-- not applied twice. Rows older than the signature lifetime can be pruned: a replay that old
-- fails the signature's Date check anyway.
CREATE TABLE received_activities (
    ap_id TEXT PRIMARY KEY,
    received_at TIMESTAMP NOT NULL
);
CREATE INDEX received_activities_age ON received_activities (received_at);
