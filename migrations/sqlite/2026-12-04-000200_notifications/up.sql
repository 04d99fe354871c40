-- What local people are told about: replies, mentions, moderation of their content, their bans,
-- and (for moderators) new reports. Written in the transaction of the change that causes it.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    recipient_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    -- post_reply, comment_reply, post_mention, comment_mention, post_removed, post_restored,
    -- comment_removed, comment_restored, banned, unbanned, report
    kind TEXT NOT NULL,
    -- The row the notification is about, by kind: the reply or mentioning comment, the
    -- mentioning thread, the mod_log entry, the report. With the kind it says which change this
    -- is, so the same change (a repeated activity) never notifies twice.
    subject_id BIGINT NOT NULL,
    actor_id BIGINT REFERENCES persons (id) ON DELETE SET NULL,
    group_id BIGINT NOT NULL REFERENCES "groups" (id) ON DELETE CASCADE,
    post_id BIGINT REFERENCES posts (id) ON DELETE CASCADE,
    comment_id BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    reason TEXT,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE UNIQUE INDEX notifications_once ON notifications (recipient_id, kind, subject_id);
CREATE INDEX notifications_recent ON notifications (recipient_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread ON notifications (recipient_id, created_at DESC, id DESC)
    WHERE read_at IS NULL;
