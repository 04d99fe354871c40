-- Full-text search over threads and comments: a stored generated tsvector on each table, so
-- PostgreSQL recomputes it in the same statement as every insert and edit, whichever process
-- writes, and a GIN index over it. The 'simple' configuration lower-cases words and neither
-- stems nor drops stop words: a brand's community writes in any language, and a language's
-- stemmer would mangle the others (and product names and error codes in all of them).
-- Adding the columns computes them for what was written before this migration.
ALTER TABLE posts ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, title), 'A')
    || setweight(to_tsvector('simple'::regconfig, COALESCE(body_source, body_html)), 'B')
) STORED;
CREATE INDEX posts_search_vector ON posts USING GIN (search_vector);

ALTER TABLE comments ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, COALESCE(body_source, body_html)), 'B')
) STORED;
CREATE INDEX comments_search_vector ON comments USING GIN (search_vector);
