-- Pictures people uploaded here: decoded, stripped of metadata, re-encoded and stored under the
-- SHA-256 of the stored file (with a thumbnail beside it). Other rows refer to an upload by its
-- public URL (`url`): attachments, avatars, group icons and banners. An upload nothing refers
-- to is marked `unused_since` by housekeeping and removed, file and row, after a grace period.
CREATE TABLE uploads (
    id INTEGER PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL UNIQUE,
    media_type TEXT NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'image/webp')),
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    bytes BIGINT NOT NULL,
    uploader_id BIGINT REFERENCES persons (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    unused_since TIMESTAMP
);
CREATE INDEX uploads_unused ON uploads (unused_since) WHERE unused_since IS NOT NULL;
-- Housekeeping asks, for every upload, whether an attachment still shows it.
CREATE INDEX attachments_url ON attachments (url);
