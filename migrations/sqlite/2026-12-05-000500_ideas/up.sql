-- Ideas and feedback: a group that collects ideas lets its staff and moderators give each thread
-- a status (under_review, planned, in_progress, done, declined) with an optional note.
ALTER TABLE groups ADD COLUMN ideas BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE posts ADD COLUMN idea_status TEXT;
ALTER TABLE posts ADD COLUMN idea_note TEXT;
ALTER TABLE posts ADD COLUMN idea_status_by BIGINT;
ALTER TABLE posts ADD COLUMN idea_status_at TIMESTAMP;
CREATE INDEX posts_idea_status ON posts (group_id, idea_status) WHERE idea_status IS NOT NULL;
