-- Plaza foundation schema (PostgreSQL). Keep in step with migrations/sqlite and crates/plaza-db/src/schema.rs.
-- Ids are identity BIGINTs; timestamps are TIMESTAMP (without time zone) holding UTC.

CREATE TABLE site (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    domain TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    registrations_open BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE instances (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    domain TEXT NOT NULL UNIQUE,
    software TEXT,
    version TEXT,
    blocked BOOLEAN NOT NULL DEFAULT FALSE,
    allowed BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE persons (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    instance_id BIGINT NOT NULL REFERENCES instances (id),
    name TEXT NOT NULL,
    display_name TEXT,
    bio_source TEXT,
    bio_html TEXT,
    avatar_url TEXT,
    local BOOLEAN NOT NULL,
    inbox_url TEXT NOT NULL,
    shared_inbox_url TEXT,
    public_key TEXT NOT NULL,
    private_key TEXT,
    bot BOOLEAN NOT NULL DEFAULT FALSE,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP,
    fetched_at TIMESTAMP
);
CREATE UNIQUE INDEX persons_local_name ON persons (name) WHERE local;
CREATE INDEX persons_instance ON persons (instance_id);

CREATE TABLE local_users (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id BIGINT NOT NULL UNIQUE REFERENCES persons (id) ON DELETE CASCADE,
    email TEXT,
    password_hash TEXT NOT NULL,
    admin BOOLEAN NOT NULL DEFAULT FALSE,
    staff BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    last_login_at TIMESTAMP
);
CREATE UNIQUE INDEX local_users_email ON local_users (email) WHERE email IS NOT NULL;

CREATE TABLE api_tokens (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    local_user_id BIGINT NOT NULL REFERENCES local_users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (local_user_id);

CREATE TABLE "groups" (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    instance_id BIGINT NOT NULL REFERENCES instances (id),
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    description_source TEXT,
    description_html TEXT,
    icon_url TEXT,
    banner_url TEXT,
    local BOOLEAN NOT NULL,
    inbox_url TEXT NOT NULL,
    shared_inbox_url TEXT,
    followers_url TEXT,
    public_key TEXT NOT NULL,
    private_key TEXT,
    posting_restricted_to_mods BOOLEAN NOT NULL DEFAULT FALSE,
    sensitive BOOLEAN NOT NULL DEFAULT FALSE,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP,
    fetched_at TIMESTAMP
);
CREATE UNIQUE INDEX groups_local_name ON "groups" (name) WHERE local;
CREATE INDEX groups_instance ON "groups" (instance_id);

CREATE TABLE group_follows (
    group_id BIGINT NOT NULL REFERENCES "groups" (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    pending BOOLEAN NOT NULL DEFAULT FALSE,
    activity_id TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (group_id, person_id)
);
CREATE INDEX group_follows_person ON group_follows (person_id);

CREATE TABLE group_moderators (
    group_id BIGINT NOT NULL REFERENCES "groups" (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (group_id, person_id)
);

CREATE TABLE group_bans (
    group_id BIGINT NOT NULL REFERENCES "groups" (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    reason TEXT,
    banned_by BIGINT REFERENCES persons (id) ON DELETE SET NULL,
    expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (group_id, person_id)
);

CREATE TABLE posts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    group_id BIGINT NOT NULL REFERENCES "groups" (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body_source TEXT,
    body_html TEXT NOT NULL DEFAULT '',
    url TEXT,
    local BOOLEAN NOT NULL,
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    pinned BOOLEAN NOT NULL DEFAULT FALSE,
    removed BOOLEAN NOT NULL DEFAULT FALSE,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    upvotes BIGINT NOT NULL DEFAULT 0,
    downvotes BIGINT NOT NULL DEFAULT 0,
    score BIGINT NOT NULL DEFAULT 0,
    comment_count BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP,
    last_activity_at TIMESTAMP NOT NULL,
    fetched_at TIMESTAMP
);
CREATE INDEX posts_group_new ON posts (group_id, created_at DESC, id DESC);
CREATE INDEX posts_group_active ON posts (group_id, last_activity_at DESC, id DESC);
CREATE INDEX posts_group_top ON posts (group_id, score DESC, id DESC);
CREATE INDEX posts_author ON posts (author_id);

CREATE TABLE comments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ap_id TEXT NOT NULL UNIQUE,
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    parent_id BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    depth INTEGER NOT NULL DEFAULT 0,
    body_source TEXT,
    body_html TEXT NOT NULL,
    local BOOLEAN NOT NULL,
    distinguished BOOLEAN NOT NULL DEFAULT FALSE,
    removed BOOLEAN NOT NULL DEFAULT FALSE,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    upvotes BIGINT NOT NULL DEFAULT 0,
    downvotes BIGINT NOT NULL DEFAULT 0,
    score BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP,
    fetched_at TIMESTAMP
);
CREATE INDEX comments_post ON comments (post_id, created_at, id);
CREATE INDEX comments_parent ON comments (parent_id);
CREATE INDEX comments_author ON comments (author_id);

CREATE TABLE post_votes (
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    score SMALLINT NOT NULL CHECK (score IN (-1, 1)),
    activity_id TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (post_id, person_id)
);

CREATE TABLE comment_votes (
    comment_id BIGINT NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    score SMALLINT NOT NULL CHECK (score IN (-1, 1)),
    activity_id TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (comment_id, person_id)
);

-- The transactional outbox: one row per change, written in the change's own transaction.
-- No foreign keys, so an event outlives whatever it speaks of.
CREATE TABLE events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind TEXT NOT NULL,
    actor_id BIGINT,
    group_id BIGINT,
    post_id BIGINT,
    comment_id BIGINT,
    payload TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL,
    processed_at TIMESTAMP
);
CREATE INDEX events_pending ON events (id) WHERE processed_at IS NULL;
