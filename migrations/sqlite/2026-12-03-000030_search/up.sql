-- Full-text search over threads and comments. One FTS5 table holds both: a thread's rowid is
-- twice its id and a comment's twice its id plus one, so every trigger finds its row by rowid.
-- The unicode61 tokenizer splits on anything that is not a letter or digit in any script and
-- folds case, so no language's word rules are assumed.
CREATE VIRTUAL TABLE content_search USING fts5(title, body, tokenize = 'unicode61');

-- The triggers keep the index in the same transaction as the write, whichever process makes it.
CREATE TRIGGER posts_search_insert AFTER INSERT ON posts BEGIN
    INSERT INTO content_search (rowid, title, body)
        VALUES (new.id * 2, new.title, COALESCE(new.body_source, new.body_html));
END;

CREATE TRIGGER posts_search_update AFTER UPDATE OF title, body_source, body_html ON posts BEGIN
    DELETE FROM content_search WHERE rowid = old.id * 2;
    INSERT INTO content_search (rowid, title, body)
        VALUES (new.id * 2, new.title, COALESCE(new.body_source, new.body_html));
END;

CREATE TRIGGER posts_search_delete AFTER DELETE ON posts BEGIN
    DELETE FROM content_search WHERE rowid = old.id * 2;
END;

CREATE TRIGGER comments_search_insert AFTER INSERT ON comments BEGIN
    INSERT INTO content_search (rowid, title, body)
        VALUES (new.id * 2 + 1, '', COALESCE(new.body_source, new.body_html));
END;

CREATE TRIGGER comments_search_update AFTER UPDATE OF body_source, body_html ON comments BEGIN
    DELETE FROM content_search WHERE rowid = old.id * 2 + 1;
    INSERT INTO content_search (rowid, title, body)
        VALUES (new.id * 2 + 1, '', COALESCE(new.body_source, new.body_html));
END;

CREATE TRIGGER comments_search_delete AFTER DELETE ON comments BEGIN
    DELETE FROM content_search WHERE rowid = old.id * 2 + 1;
END;

-- What was written before this migration.
INSERT INTO content_search (rowid, title, body)
    SELECT id * 2, title, COALESCE(body_source, body_html) FROM posts;
INSERT INTO content_search (rowid, title, body)
    SELECT id * 2 + 1, '', COALESCE(body_source, body_html) FROM comments;
