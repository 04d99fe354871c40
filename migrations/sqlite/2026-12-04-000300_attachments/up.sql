-- Media attached to a post or a comment by the server it came from (Mastodon's images with alt
-- text, PeerTube's videos, Lemmy's thumbnail): where it lives there and how to show it. The
-- media itself stays on its server; pages show images through the media proxy.
CREATE TABLE attachments (
    -- AUTOINCREMENT: an id is never given twice, so a picture's URL (which browsers keep for
    -- a week) never shows another one after an edit.
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id BIGINT REFERENCES posts (id) ON DELETE CASCADE,
    comment_id BIGINT REFERENCES comments (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('image', 'video', 'audio', 'document')),
    url TEXT NOT NULL,
    media_type TEXT,
    alt TEXT,
    width INTEGER,
    height INTEGER,
    blurhash TEXT,
    CHECK ((post_id IS NULL) <> (comment_id IS NULL))
);
CREATE UNIQUE INDEX attachments_post ON attachments (post_id, position) WHERE post_id IS NOT NULL;
CREATE UNIQUE INDEX attachments_comment ON attachments (comment_id, position) WHERE comment_id IS NOT NULL;
