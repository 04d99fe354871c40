-- Early-warning alerts: rules staff set, the incidents they opened (one per incident key, so
-- evaluating an event twice opens nothing twice), the evaluator's place in the event stream,
-- and the durable queue of webhook calls.
CREATE TABLE alert_rules (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- reports, downvotes, replies, unanswered, watch_words
    kind TEXT NOT NULL,
    -- NULL: every group.
    group_id BIGINT REFERENCES groups (id) ON DELETE CASCADE,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    -- A count per hour, or hours for unanswered questions; unused by watch words.
    threshold INTEGER NOT NULL,
    -- Watch words, one per line.
    words TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE alert_incidents (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_id BIGINT NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    -- What makes this incident the same one when seen again: the hour for reports, the thread
    -- (and how many of its incidents were resolved before) for the others.
    incident_key TEXT NOT NULL,
    group_id BIGINT REFERENCES groups (id) ON DELETE SET NULL,
    post_id BIGINT REFERENCES posts (id) ON DELETE SET NULL,
    summary TEXT NOT NULL,
    -- JSON: the counts and the ids that made it fire.
    evidence TEXT NOT NULL,
    opened_at TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP,
    acknowledged_by BIGINT REFERENCES persons (id) ON DELETE SET NULL,
    resolved_at TIMESTAMP,
    resolved_by BIGINT REFERENCES persons (id) ON DELETE SET NULL,
    UNIQUE (rule_id, incident_key)
);
CREATE INDEX alert_incidents_opened ON alert_incidents (opened_at);
CREATE INDEX alert_incidents_post ON alert_incidents (rule_id, post_id);

-- One row: the last event evaluated (moved in the transaction that opens the incidents it
-- caused) and where the webhook goes.
CREATE TABLE alert_state (
    id BIGINT PRIMARY KEY,
    events_through BIGINT NOT NULL,
    webhook_url TEXT,
    webhook_secret TEXT,
    updated_at TIMESTAMP NOT NULL
);
-- Events from before alerts existed are history, not news.
INSERT INTO alert_state (id, events_through, updated_at)
    VALUES (1, COALESCE((SELECT MAX(id) FROM events), 0), (now() AT TIME ZONE 'UTC'));

-- The defaults: a burst of reports anywhere, a thread downvoted fast, a question left alone a
-- day; watch words wait for the brand's words.
INSERT INTO alert_rules (kind, group_id, enabled, threshold, words, created_at, updated_at) VALUES
    ('reports', NULL, TRUE, 3, '', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')),
    ('downvotes', NULL, TRUE, 10, '', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')),
    ('replies', NULL, FALSE, 50, '', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')),
    ('unanswered', NULL, TRUE, 24, '', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC')),
    ('watch_words', NULL, FALSE, 1, '', (now() AT TIME ZONE 'UTC'), (now() AT TIME ZONE 'UTC'));

-- Webhook calls: one per incident and URL, with its body fixed when queued; claimed by workers
-- with a lease, as mail.
CREATE TABLE alert_webhooks (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id BIGINT NOT NULL REFERENCES alert_incidents (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_until TIMESTAMP,
    sent_at TIMESTAMP,
    failed_at TIMESTAMP,
    last_error TEXT,
    UNIQUE (incident_id, url)
);
CREATE INDEX alert_webhooks_due ON alert_webhooks (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
