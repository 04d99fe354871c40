ALTER TABLE posts DROP COLUMN accepted_officially;
ALTER TABLE posts DROP COLUMN accepted_at;
ALTER TABLE posts DROP COLUMN accepted_by;
ALTER TABLE posts DROP COLUMN accepted_comment_id;
ALTER TABLE posts DROP COLUMN question;
ALTER TABLE groups DROP COLUMN qa;
