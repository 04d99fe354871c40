-- What moderators did, for the moderators: one row per action, local or received.
CREATE TABLE mod_log (
    id INTEGER PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES "groups" (id) ON DELETE CASCADE,
    moderator_id BIGINT REFERENCES persons (id) ON DELETE SET NULL,
    -- remove_post, restore_post, remove_comment, restore_comment, lock, unlock, pin, unpin,
    -- ban, unban
    action TEXT NOT NULL,
    post_id BIGINT REFERENCES posts (id) ON DELETE SET NULL,
    comment_id BIGINT REFERENCES comments (id) ON DELETE SET NULL,
    person_id BIGINT REFERENCES persons (id) ON DELETE SET NULL,
    reason TEXT,
    expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX mod_log_group ON mod_log (group_id, created_at DESC, id DESC);

-- Reports of a thread or comment, by local people or other servers (Flag), until resolved.
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    group_id BIGINT NOT NULL REFERENCES "groups" (id) ON DELETE CASCADE,
    reporter_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    post_id BIGINT REFERENCES posts (id) ON DELETE CASCADE,
    comment_id BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    -- The Flag's id, for a report from another server (a repeated Flag is stored once).
    ap_id TEXT UNIQUE,
    resolved_by BIGINT REFERENCES persons (id) ON DELETE SET NULL,
    resolved_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX reports_open ON reports (group_id, created_at) WHERE resolved_at IS NULL;
