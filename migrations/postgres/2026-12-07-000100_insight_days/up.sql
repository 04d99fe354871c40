-- Daily counts for the insight overview, kept up to date by triggers as rows are written, so the
-- overview reads a few hundred rows instead of every thread, comment and vote of its period.
-- `insight_days` holds what each group got on each UTC day; `insight_day_people` who was active
-- there that day, with how many of their threads, comments and votes count (a person stops
-- being active on a day when that drops to zero, e.g. their only comment is deleted).
-- No foreign keys: the rows are derived, and a group's rows are simply never read once it is gone.
CREATE TABLE insight_days (
    group_id BIGINT NOT NULL,
    day DATE NOT NULL,
    threads BIGINT NOT NULL DEFAULT 0,
    comments BIGINT NOT NULL DEFAULT 0,
    votes BIGINT NOT NULL DEFAULT 0,
    follows BIGINT NOT NULL DEFAULT 0,
    local_follows BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, day)
);

CREATE TABLE insight_day_people (
    group_id BIGINT NOT NULL,
    day DATE NOT NULL,
    person_id BIGINT NOT NULL,
    contributions BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (group_id, day, person_id)
);
CREATE INDEX insight_day_people_day ON insight_day_people (day, person_id);

INSERT INTO insight_days (group_id, day, threads, comments, votes, follows, local_follows)
SELECT group_id, day, sum(t), sum(c), sum(v), sum(f), sum(lf) FROM (
    SELECT group_id, created_at::date AS day, 1 AS t, 0 AS c, 0 AS v, 0 AS f, 0 AS lf
    FROM posts WHERE NOT deleted
    UNION ALL
    SELECT p.group_id, c.created_at::date, 0, 1, 0, 0, 0
    FROM comments c JOIN posts p ON p.id = c.post_id WHERE NOT c.deleted
    UNION ALL
    SELECT p.group_id, v.created_at::date, 0, 0, 1, 0, 0
    FROM post_votes v JOIN posts p ON p.id = v.post_id
    UNION ALL
    SELECT p.group_id, v.created_at::date, 0, 0, 1, 0, 0
    FROM comment_votes v JOIN comments c ON c.id = v.comment_id JOIN posts p ON p.id = c.post_id
    UNION ALL
    SELECT f.group_id, f.created_at::date, 0, 0, 0, 1, CASE WHEN pe.local THEN 1 ELSE 0 END
    FROM group_follows f JOIN persons pe ON pe.id = f.person_id WHERE NOT f.pending
) AS counted GROUP BY group_id, day;

INSERT INTO insight_day_people (group_id, day, person_id, contributions)
SELECT group_id, day, person_id, count(*) FROM (
    SELECT group_id, created_at::date AS day, author_id AS person_id FROM posts WHERE NOT deleted
    UNION ALL
    SELECT p.group_id, c.created_at::date, c.author_id
    FROM comments c JOIN posts p ON p.id = c.post_id WHERE NOT c.deleted
    UNION ALL
    SELECT p.group_id, v.created_at::date, v.person_id
    FROM post_votes v JOIN posts p ON p.id = v.post_id
    UNION ALL
    SELECT p.group_id, v.created_at::date, v.person_id
    FROM comment_votes v JOIN comments c ON c.id = v.comment_id JOIN posts p ON p.id = c.post_id
) AS active GROUP BY group_id, day, person_id;

-- Adds (or, with negative numbers, takes away) one row's share of a group's day; `person`
-- is the active person it counts for, if any.
CREATE FUNCTION insight_add(
    g BIGINT, d DATE, person BIGINT,
    t BIGINT, c BIGINT, v BIGINT, f BIGINT, lf BIGINT
) RETURNS void LANGUAGE sql AS $$
    INSERT INTO insight_days AS x (group_id, day, threads, comments, votes, follows, local_follows)
    VALUES (g, d, t, c, v, f, lf)
    ON CONFLICT (group_id, day) DO UPDATE SET
        threads = x.threads + EXCLUDED.threads,
        comments = x.comments + EXCLUDED.comments,
        votes = x.votes + EXCLUDED.votes,
        follows = x.follows + EXCLUDED.follows,
        local_follows = x.local_follows + EXCLUDED.local_follows;
    INSERT INTO insight_day_people AS y (group_id, day, person_id, contributions)
    SELECT g, d, person, t + c + v WHERE person IS NOT NULL
    ON CONFLICT (group_id, day, person_id)
    DO UPDATE SET contributions = y.contributions + EXCLUDED.contributions;
$$;

-- Threads.
CREATE FUNCTION insight_posts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND NOT OLD.deleted THEN
        PERFORM insight_add(OLD.group_id, OLD.created_at::date, OLD.author_id, -1, 0, 0, 0, 0);
    END IF;
    IF TG_OP <> 'DELETE' AND NOT NEW.deleted THEN
        PERFORM insight_add(NEW.group_id, NEW.created_at::date, NEW.author_id, 1, 0, 0, 0, 0);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER insight_posts_insert AFTER INSERT ON posts
    FOR EACH ROW EXECUTE FUNCTION insight_posts();
CREATE TRIGGER insight_posts_delete AFTER DELETE ON posts
    FOR EACH ROW EXECUTE FUNCTION insight_posts();
CREATE TRIGGER insight_posts_update AFTER UPDATE OF deleted, created_at, group_id, author_id
    ON posts FOR EACH ROW
    WHEN (OLD.deleted IS DISTINCT FROM NEW.deleted OR OLD.created_at IS DISTINCT FROM NEW.created_at
        OR OLD.group_id IS DISTINCT FROM NEW.group_id OR OLD.author_id IS DISTINCT FROM NEW.author_id)
    EXECUTE FUNCTION insight_posts();

-- Comments, counted in their thread's group.
CREATE FUNCTION insight_comments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND NOT OLD.deleted THEN
        PERFORM insight_add(p.group_id, OLD.created_at::date, OLD.author_id, 0, -1, 0, 0, 0)
        FROM posts p WHERE p.id = OLD.post_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NOT NEW.deleted THEN
        PERFORM insight_add(p.group_id, NEW.created_at::date, NEW.author_id, 0, 1, 0, 0, 0)
        FROM posts p WHERE p.id = NEW.post_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER insight_comments_insert AFTER INSERT ON comments
    FOR EACH ROW EXECUTE FUNCTION insight_comments();
CREATE TRIGGER insight_comments_delete AFTER DELETE ON comments
    FOR EACH ROW EXECUTE FUNCTION insight_comments();
CREATE TRIGGER insight_comments_update AFTER UPDATE OF deleted, created_at, post_id, author_id
    ON comments FOR EACH ROW
    WHEN (OLD.deleted IS DISTINCT FROM NEW.deleted OR OLD.created_at IS DISTINCT FROM NEW.created_at
        OR OLD.post_id IS DISTINCT FROM NEW.post_id OR OLD.author_id IS DISTINCT FROM NEW.author_id)
    EXECUTE FUNCTION insight_comments();

-- Votes on threads. A changed vote moves to the day of its change, as `created_at` does.
CREATE FUNCTION insight_post_votes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM insight_add(p.group_id, OLD.created_at::date, OLD.person_id, 0, 0, -1, 0, 0)
        FROM posts p WHERE p.id = OLD.post_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM insight_add(p.group_id, NEW.created_at::date, NEW.person_id, 0, 0, 1, 0, 0)
        FROM posts p WHERE p.id = NEW.post_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER insight_post_votes_insert AFTER INSERT ON post_votes
    FOR EACH ROW EXECUTE FUNCTION insight_post_votes();
CREATE TRIGGER insight_post_votes_delete AFTER DELETE ON post_votes
    FOR EACH ROW EXECUTE FUNCTION insight_post_votes();
CREATE TRIGGER insight_post_votes_update AFTER UPDATE OF created_at, post_id, person_id
    ON post_votes FOR EACH ROW
    WHEN (OLD.created_at::date IS DISTINCT FROM NEW.created_at::date
        OR OLD.post_id IS DISTINCT FROM NEW.post_id OR OLD.person_id IS DISTINCT FROM NEW.person_id)
    EXECUTE FUNCTION insight_post_votes();

-- Votes on comments, counted in the comment's thread's group.
CREATE FUNCTION insight_comment_votes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM insight_add(p.group_id, OLD.created_at::date, OLD.person_id, 0, 0, -1, 0, 0)
        FROM comments c JOIN posts p ON p.id = c.post_id WHERE c.id = OLD.comment_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM insight_add(p.group_id, NEW.created_at::date, NEW.person_id, 0, 0, 1, 0, 0)
        FROM comments c JOIN posts p ON p.id = c.post_id WHERE c.id = NEW.comment_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER insight_comment_votes_insert AFTER INSERT ON comment_votes
    FOR EACH ROW EXECUTE FUNCTION insight_comment_votes();
CREATE TRIGGER insight_comment_votes_delete AFTER DELETE ON comment_votes
    FOR EACH ROW EXECUTE FUNCTION insight_comment_votes();
CREATE TRIGGER insight_comment_votes_update AFTER UPDATE OF created_at, comment_id, person_id
    ON comment_votes FOR EACH ROW
    WHEN (OLD.created_at::date IS DISTINCT FROM NEW.created_at::date
        OR OLD.comment_id IS DISTINCT FROM NEW.comment_id
        OR OLD.person_id IS DISTINCT FROM NEW.person_id)
    EXECUTE FUNCTION insight_comment_votes();

-- Accepted follows (a pending one counts from its acceptance on, on the day it was asked).
CREATE FUNCTION insight_follows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND NOT OLD.pending THEN
        PERFORM insight_add(OLD.group_id, OLD.created_at::date, NULL, 0, 0, 0, -1,
                            CASE WHEN pe.local THEN -1 ELSE 0 END)
        FROM persons pe WHERE pe.id = OLD.person_id;
    END IF;
    IF TG_OP <> 'DELETE' AND NOT NEW.pending THEN
        PERFORM insight_add(NEW.group_id, NEW.created_at::date, NULL, 0, 0, 0, 1,
                            CASE WHEN pe.local THEN 1 ELSE 0 END)
        FROM persons pe WHERE pe.id = NEW.person_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER insight_follows_insert AFTER INSERT ON group_follows
    FOR EACH ROW EXECUTE FUNCTION insight_follows();
CREATE TRIGGER insight_follows_delete AFTER DELETE ON group_follows
    FOR EACH ROW EXECUTE FUNCTION insight_follows();
CREATE TRIGGER insight_follows_update AFTER UPDATE OF pending, created_at, group_id, person_id
    ON group_follows FOR EACH ROW
    WHEN (OLD.pending IS DISTINCT FROM NEW.pending OR OLD.created_at IS DISTINCT FROM NEW.created_at
        OR OLD.group_id IS DISTINCT FROM NEW.group_id OR OLD.person_id IS DISTINCT FROM NEW.person_id)
    EXECUTE FUNCTION insight_follows();

-- The first reply to a thread by someone else is found from this index alone.
DROP INDEX comments_post;
CREATE INDEX comments_post ON comments (post_id, created_at, id) INCLUDE (author_id);
