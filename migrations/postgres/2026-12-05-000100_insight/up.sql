-- The insight pages read what happened in a span of time across all groups.
CREATE INDEX posts_created ON posts (created_at);
CREATE INDEX comments_created ON comments (created_at);
CREATE INDEX post_votes_created ON post_votes (created_at);
CREATE INDEX comment_votes_created ON comment_votes (created_at);
CREATE INDEX group_follows_created ON group_follows (created_at);
CREATE INDEX posts_accepted ON posts (accepted_at) WHERE accepted_at IS NOT NULL;
CREATE INDEX reports_created ON reports (created_at);
