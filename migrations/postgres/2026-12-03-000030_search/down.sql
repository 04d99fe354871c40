DROP INDEX comments_search_vector;
ALTER TABLE comments DROP COLUMN search_vector;
DROP INDEX posts_search_vector;
ALTER TABLE posts DROP COLUMN search_vector;
