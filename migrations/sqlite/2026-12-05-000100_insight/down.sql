DROP INDEX reports_created;
DROP INDEX posts_accepted;
DROP INDEX group_follows_created;
DROP INDEX comment_votes_created;
DROP INDEX post_votes_created;
DROP INDEX comments_created;
DROP INDEX posts_created;
