-- An Accept may name the Follow by its id alone.
CREATE INDEX group_follows_activity_id ON group_follows (activity_id);
