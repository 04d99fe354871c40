DROP INDEX group_follows_activity_id;
