-- What the responsiveness and advocates pages, the unanswered lists and the unanswered-question
-- alert ask of every thread, kept on the thread itself by triggers on comments, so that none of
-- them has to look through the comments of every thread of a period:
-- `live_comments`: replies neither deleted nor removed, by anyone (a thread without any is
-- unanswered); `first_reply_at` and `first_reply_by`: the first reply by someone other than
-- the thread's author, kept when that reply is later deleted or removed (it was an answer then).
ALTER TABLE posts ADD COLUMN live_comments BIGINT NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN first_reply_at TIMESTAMP;
ALTER TABLE posts ADD COLUMN first_reply_by BIGINT;

UPDATE posts SET live_comments = (
    SELECT count(*) FROM comments c WHERE c.post_id = posts.id AND NOT c.deleted AND NOT c.removed
);
-- A row of no values (no reply by anyone else) sets both to NULL.
UPDATE posts SET (first_reply_at, first_reply_by) = (
    SELECT c.created_at, c.author_id FROM comments c WHERE c.post_id = posts.id
    AND c.author_id <> posts.author_id ORDER BY c.created_at, c.id LIMIT 1);

-- One UPDATE per new comment: the set expressions all read the thread as it was.
CREATE TRIGGER thread_replies_insert AFTER INSERT ON comments BEGIN
    UPDATE posts SET
        live_comments = live_comments + (NOT NEW.deleted AND NOT NEW.removed),
        first_reply_at = CASE WHEN NEW.author_id <> author_id
            AND (first_reply_at IS NULL OR NEW.created_at < first_reply_at)
            THEN NEW.created_at ELSE first_reply_at END,
        first_reply_by = CASE WHEN NEW.author_id <> author_id
            AND (first_reply_at IS NULL OR NEW.created_at < first_reply_at)
            THEN NEW.author_id ELSE first_reply_by END
    WHERE id = NEW.post_id;
END;

CREATE TRIGGER thread_replies_delete AFTER DELETE ON comments BEGIN
    UPDATE posts SET live_comments = live_comments - (NOT OLD.deleted AND NOT OLD.removed)
    WHERE id = OLD.post_id;
    UPDATE posts SET (first_reply_at, first_reply_by) = (
        SELECT c.created_at, c.author_id FROM comments c WHERE c.post_id = posts.id
        AND c.author_id <> posts.author_id ORDER BY c.created_at, c.id LIMIT 1)
    WHERE id = OLD.post_id AND first_reply_by = OLD.author_id
        AND first_reply_at = OLD.created_at;
END;

CREATE TRIGGER thread_replies_update
AFTER UPDATE OF deleted, removed, post_id, author_id, created_at ON comments
WHEN OLD.deleted IS NOT NEW.deleted OR OLD.removed IS NOT NEW.removed
    OR OLD.post_id IS NOT NEW.post_id OR OLD.author_id IS NOT NEW.author_id
    OR OLD.created_at IS NOT NEW.created_at BEGIN
    UPDATE posts SET live_comments = live_comments - (NOT OLD.deleted AND NOT OLD.removed)
        + CASE WHEN NEW.post_id = OLD.post_id THEN (NOT NEW.deleted AND NOT NEW.removed) ELSE 0 END
    WHERE id = OLD.post_id;
    UPDATE posts SET live_comments = live_comments + (NOT NEW.deleted AND NOT NEW.removed)
    WHERE id = NEW.post_id AND NEW.post_id <> OLD.post_id;
    UPDATE posts SET (first_reply_at, first_reply_by) = (
        SELECT c.created_at, c.author_id FROM comments c WHERE c.post_id = posts.id
        AND c.author_id <> posts.author_id ORDER BY c.created_at, c.id LIMIT 1)
    WHERE id IN (OLD.post_id, NEW.post_id) AND (NEW.post_id <> OLD.post_id
        OR NEW.author_id <> OLD.author_id OR NEW.created_at IS NOT OLD.created_at);
END;

-- The queries repeat these conditions word for word (as literal SQL, not bound values), which
-- is what lets both planners pick the partial indexes.
CREATE INDEX posts_unanswered ON posts (created_at, id)
    WHERE live_comments = 0 AND NOT deleted AND NOT removed;
CREATE INDEX comments_upvoted ON comments (created_at, post_id, author_id, upvotes)
    WHERE upvotes > 0 AND NOT deleted;
CREATE INDEX comments_criticised ON comments (created_at)
    WHERE (downvotes > 0 OR removed) AND NOT deleted;
