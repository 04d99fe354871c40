-- E-mail: verified addresses, what each person wants by mail, single-use links, and the durable
-- queue of outgoing mail (written in the transaction of the change that causes it).
ALTER TABLE local_users ADD COLUMN email_verified_at TIMESTAMP;

-- One row per account that chose anything: each category is off, instant or digest.
CREATE TABLE mail_preferences (
    local_user_id BIGINT PRIMARY KEY REFERENCES local_users (id) ON DELETE CASCADE,
    replies TEXT NOT NULL DEFAULT 'off',
    mentions TEXT NOT NULL DEFAULT 'off',
    moderation TEXT NOT NULL DEFAULT 'off',
    reports TEXT NOT NULL DEFAULT 'off',
    answers TEXT NOT NULL DEFAULT 'off',
    -- Notifications created up to here were covered by a digest (or predate the choice); moved
    -- forward in the transaction that queues the next digest, so none is sent twice or skipped.
    digest_through TIMESTAMP NOT NULL
);

-- Links sent by mail: address verification ('verify') and password reset ('reset'). Only the
-- SHA-256 of the token is kept.
CREATE TABLE mail_tokens (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    local_user_id BIGINT NOT NULL REFERENCES local_users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    -- The address a verification link is for: changing the address again voids it.
    email TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX mail_tokens_user ON mail_tokens (local_user_id, purpose);

-- Outgoing mail. The text is composed when it is sent (a link's token is made then, so no
-- token is ever stored in clear); a worker claims rows with a lease, as deliveries.
CREATE TABLE outgoing_mails (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    local_user_id BIGINT NOT NULL REFERENCES local_users (id) ON DELETE CASCADE,
    -- verify, reset, notification, digest
    kind TEXT NOT NULL,
    to_address TEXT NOT NULL,
    notification_id BIGINT REFERENCES notifications (id) ON DELETE CASCADE,
    -- A digest covers the notifications created after period_start up to period_end.
    period_start TIMESTAMP,
    period_end TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    claimed_until TIMESTAMP,
    sent_at TIMESTAMP,
    failed_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX outgoing_mails_due ON outgoing_mails (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outgoing_mails_user ON outgoing_mails (local_user_id, kind);
