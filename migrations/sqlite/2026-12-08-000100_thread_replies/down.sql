DROP INDEX comments_criticised;
DROP INDEX comments_upvoted;
DROP INDEX posts_unanswered;
DROP TRIGGER thread_replies_update;
DROP TRIGGER thread_replies_delete;
DROP TRIGGER thread_replies_insert;
ALTER TABLE posts DROP COLUMN first_reply_by;
ALTER TABLE posts DROP COLUMN first_reply_at;
ALTER TABLE posts DROP COLUMN live_comments;
