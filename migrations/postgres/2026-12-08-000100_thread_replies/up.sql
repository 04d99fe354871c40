-- What the responsiveness and advocates pages, the unanswered lists and the unanswered-question
-- alert ask of every thread, kept on the thread itself by triggers on comments, so that none of
-- them has to look through the comments of every thread of a period:
-- `live_comments`: replies neither deleted nor removed, by anyone (a thread without any is
-- unanswered); `first_reply_at` and `first_reply_by`: the first reply by someone other than
-- the thread's author, kept when that reply is later deleted or removed (it was an answer then).
ALTER TABLE posts ADD COLUMN live_comments BIGINT NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN first_reply_at TIMESTAMP;
ALTER TABLE posts ADD COLUMN first_reply_by BIGINT;

UPDATE posts p SET live_comments = c.n FROM (
    SELECT post_id, count(*) AS n FROM comments WHERE NOT deleted AND NOT removed GROUP BY post_id
) c WHERE c.post_id = p.id;
UPDATE posts p SET first_reply_at = f.created_at, first_reply_by = f.author_id FROM (
    SELECT DISTINCT ON (c.post_id) c.post_id, c.created_at, c.author_id
    FROM comments c JOIN posts t ON t.id = c.post_id AND c.author_id <> t.author_id
    ORDER BY c.post_id, c.created_at, c.id
) f WHERE f.post_id = p.id;

-- The first reply by someone other than the author, looked up again when the one stored may
-- have gone or moved.
CREATE FUNCTION thread_first_reply(thread BIGINT) RETURNS void LANGUAGE sql AS $$
    UPDATE posts p SET (first_reply_at, first_reply_by) = (
        SELECT c.created_at, c.author_id FROM comments c
        WHERE c.post_id = p.id AND c.author_id <> p.author_id
        ORDER BY c.created_at, c.id LIMIT 1)
    WHERE p.id = thread;
$$;

CREATE FUNCTION thread_replies() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_live INT := 0;
    is_live INT := 0;
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- One UPDATE per new comment: the set expressions all read the thread as it was.
        UPDATE posts SET
            live_comments = live_comments + (NOT NEW.deleted AND NOT NEW.removed)::int,
            first_reply_at = CASE WHEN NEW.author_id <> author_id
                AND (first_reply_at IS NULL OR NEW.created_at < first_reply_at)
                THEN NEW.created_at ELSE first_reply_at END,
            first_reply_by = CASE WHEN NEW.author_id <> author_id
                AND (first_reply_at IS NULL OR NEW.created_at < first_reply_at)
                THEN NEW.author_id ELSE first_reply_by END
        WHERE id = NEW.post_id;
        RETURN NULL;
    END IF;
    was_live := (NOT OLD.deleted AND NOT OLD.removed)::int;
    IF TG_OP = 'UPDATE' THEN
        is_live := (NOT NEW.deleted AND NOT NEW.removed)::int;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.post_id = OLD.post_id THEN
        IF is_live <> was_live THEN
            UPDATE posts SET live_comments = live_comments + is_live - was_live
            WHERE id = OLD.post_id;
        END IF;
    ELSE
        IF was_live = 1 THEN
            UPDATE posts SET live_comments = live_comments - 1 WHERE id = OLD.post_id;
        END IF;
        IF is_live = 1 THEN
            UPDATE posts SET live_comments = live_comments + 1 WHERE id = NEW.post_id;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        PERFORM thread_first_reply(OLD.post_id) FROM posts
        WHERE id = OLD.post_id AND first_reply_by = OLD.author_id
            AND first_reply_at = OLD.created_at;
    ELSIF NEW.post_id <> OLD.post_id OR NEW.author_id <> OLD.author_id
        OR NEW.created_at <> OLD.created_at THEN
        PERFORM thread_first_reply(OLD.post_id);
        IF NEW.post_id <> OLD.post_id THEN
            PERFORM thread_first_reply(NEW.post_id);
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER thread_replies_insert AFTER INSERT ON comments
    FOR EACH ROW EXECUTE FUNCTION thread_replies();
CREATE TRIGGER thread_replies_delete AFTER DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION thread_replies();
CREATE TRIGGER thread_replies_update
    AFTER UPDATE OF deleted, removed, post_id, author_id, created_at ON comments FOR EACH ROW
    WHEN (OLD.deleted IS DISTINCT FROM NEW.deleted OR OLD.removed IS DISTINCT FROM NEW.removed
        OR OLD.post_id IS DISTINCT FROM NEW.post_id OR OLD.author_id IS DISTINCT FROM NEW.author_id
        OR OLD.created_at IS DISTINCT FROM NEW.created_at)
    EXECUTE FUNCTION thread_replies();

-- The queries repeat these conditions word for word (as literal SQL, not bound values), which
-- is what lets both planners pick the partial indexes.
CREATE INDEX posts_unanswered ON posts (created_at, id)
    WHERE live_comments = 0 AND NOT deleted AND NOT removed;
CREATE INDEX comments_upvoted ON comments (created_at) INCLUDE (post_id, author_id, upvotes)
    WHERE upvotes > 0 AND NOT deleted;
CREATE INDEX comments_criticised ON comments (created_at)
    WHERE (downvotes > 0 OR removed) AND NOT deleted;
