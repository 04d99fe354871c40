-- The durable delivery queue. An outgoing activity and its target inboxes are written in the
-- same transaction as the change that caused them; a worker signs and sends each delivery,
-- retries with backoff, and resumes after a restart (an expired claim is claimed again).
CREATE TABLE outgoing_activities (
    id INTEGER PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    -- The local actor that signs it (a person, a group or the instance actor).
    actor_ap_id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    activity_id BIGINT NOT NULL REFERENCES outgoing_activities (id) ON DELETE CASCADE,
    inbox_url TEXT NOT NULL,
    instance_id BIGINT NOT NULL REFERENCES instances (id),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until TIMESTAMP,
    last_error TEXT,
    delivered_at TIMESTAMP,
    failed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (activity_id, inbox_url)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;

-- Per-host health: a host that keeps failing is marked dead and only probed now and then.
ALTER TABLE instances ADD COLUMN failure_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN dead_since TIMESTAMP;
ALTER TABLE instances ADD COLUMN last_success_at TIMESTAMP;
