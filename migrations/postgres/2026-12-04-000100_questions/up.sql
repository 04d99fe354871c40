-- Questions and accepted answers. A group marked `qa` makes every thread in it a question; a
-- thread's own `question` flag makes it one anywhere.
ALTER TABLE groups ADD COLUMN qa BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE posts ADD COLUMN question BOOLEAN NOT NULL DEFAULT FALSE;
-- No foreign key: comments already point at posts, and a cycle would stop the SQLite to
-- PostgreSQL copy, which inserts tables parents first. The core clears the column when the
-- comment goes.
ALTER TABLE posts ADD COLUMN accepted_comment_id BIGINT;
ALTER TABLE posts ADD COLUMN accepted_by BIGINT;
ALTER TABLE posts ADD COLUMN accepted_at TIMESTAMP;
-- Accepted by a moderator, staff or an administrator rather than only by the asker: the answer is
-- then sent to Lemmy as `distinguished`.
ALTER TABLE posts ADD COLUMN accepted_officially BOOLEAN NOT NULL DEFAULT FALSE;
