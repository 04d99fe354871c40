DROP INDEX posts_idea_status;
ALTER TABLE posts DROP COLUMN idea_status_at;
ALTER TABLE posts DROP COLUMN idea_status_by;
ALTER TABLE posts DROP COLUMN idea_note;
ALTER TABLE posts DROP COLUMN idea_status;
ALTER TABLE groups DROP COLUMN ideas;
