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
    SELECT group_id, date(created_at) AS day, 1 AS t, 0 AS c, 0 AS v, 0 AS f, 0 AS lf
    FROM posts WHERE NOT deleted
    UNION ALL
    SELECT p.group_id, date(c.created_at), 0, 1, 0, 0, 0
    FROM comments c JOIN posts p ON p.id = c.post_id WHERE NOT c.deleted
    UNION ALL
    SELECT p.group_id, date(v.created_at), 0, 0, 1, 0, 0
    FROM post_votes v JOIN posts p ON p.id = v.post_id
    UNION ALL
    SELECT p.group_id, date(v.created_at), 0, 0, 1, 0, 0
    FROM comment_votes v JOIN comments c ON c.id = v.comment_id JOIN posts p ON p.id = c.post_id
    UNION ALL
    SELECT f.group_id, date(f.created_at), 0, 0, 0, 1, pe.local
    FROM group_follows f JOIN persons pe ON pe.id = f.person_id WHERE NOT f.pending
) GROUP BY group_id, day;

INSERT INTO insight_day_people (group_id, day, person_id, contributions)
SELECT group_id, day, person_id, count(*) FROM (
    SELECT group_id, date(created_at) AS day, author_id AS person_id FROM posts WHERE NOT deleted
    UNION ALL
    SELECT p.group_id, date(c.created_at), c.author_id
    FROM comments c JOIN posts p ON p.id = c.post_id WHERE NOT c.deleted
    UNION ALL
    SELECT p.group_id, date(v.created_at), v.person_id
    FROM post_votes v JOIN posts p ON p.id = v.post_id
    UNION ALL
    SELECT p.group_id, date(v.created_at), v.person_id
    FROM comment_votes v JOIN comments c ON c.id = v.comment_id JOIN posts p ON p.id = c.post_id
) GROUP BY group_id, day, person_id;

-- Threads.
CREATE TRIGGER insight_posts_insert AFTER INSERT ON posts WHEN NOT NEW.deleted BEGIN
    INSERT INTO insight_days (group_id, day, threads)
    SELECT NEW.group_id, date(NEW.created_at), 1 WHERE TRUE
    ON CONFLICT (group_id, day) DO UPDATE SET threads = threads + excluded.threads;
    INSERT INTO insight_day_people (group_id, day, person_id, contributions)
    SELECT NEW.group_id, date(NEW.created_at), NEW.author_id, 1 WHERE TRUE
    ON CONFLICT (group_id, day, person_id)
    DO UPDATE SET contributions = contributions + excluded.contributions;
END;

CREATE TRIGGER insight_posts_delete AFTER DELETE ON posts WHEN NOT OLD.deleted BEGIN
    UPDATE insight_days SET threads = threads - 1
    WHERE group_id = OLD.group_id AND day = date(OLD.created_at);
    UPDATE insight_day_people SET contributions = contributions - 1
    WHERE group_id = OLD.group_id AND day = date(OLD.created_at) AND person_id = OLD.author_id;
END;

CREATE TRIGGER insight_posts_update AFTER UPDATE OF deleted, created_at, group_id, author_id ON posts
WHEN OLD.deleted IS NOT NEW.deleted OR OLD.created_at IS NOT NEW.created_at
    OR OLD.group_id IS NOT NEW.group_id OR OLD.author_id IS NOT NEW.author_id BEGIN
    UPDATE insight_days SET threads = threads - 1
    WHERE NOT OLD.deleted AND group_id = OLD.group_id AND day = date(OLD.created_at);
    UPDATE insight_day_people SET contributions = contributions - 1
    WHERE NOT OLD.deleted AND group_id = OLD.group_id AND day = date(OLD.created_at)
        AND person_id = OLD.author_id;
    INSERT INTO insight_days (group_id, day, threads)
    SELECT NEW.group_id, date(NEW.created_at), 1 WHERE NOT NEW.deleted
    ON CONFLICT (group_id, day) DO UPDATE SET threads = threads + excluded.threads;
    INSERT INTO insight_day_people (group_id, day, person_id, contributions)
    SELECT NEW.group_id, date(NEW.created_at), NEW.author_id, 1 WHERE NOT NEW.deleted
    ON CONFLICT (group_id, day, person_id)
    DO UPDATE SET contributions = contributions + excluded.contributions;
END;

-- Comments, counted in their thread's group.
CREATE TRIGGER insight_comments_insert AFTER INSERT ON comments WHEN NOT NEW.deleted BEGIN
    INSERT INTO insight_days (group_id, day, comments)
    SELECT group_id, date(NEW.created_at), 1 FROM posts WHERE id = NEW.post_id
    ON CONFLICT (group_id, day) DO UPDATE SET comments = comments + excluded.comments;
    INSERT INTO insight_day_people (group_id, day, person_id, contributions)
    SELECT group_id, date(NEW.created_at), NEW.author_id, 1 FROM posts WHERE id = NEW.post_id
    ON CONFLICT (group_id, day, person_id)
    DO UPDATE SET contributions = contributions + excluded.contributions;
END;

CREATE TRIGGER insight_comments_delete AFTER DELETE ON comments WHEN NOT OLD.deleted BEGIN
    UPDATE insight_days SET comments = comments - 1
    WHERE group_id = (SELECT group_id FROM posts WHERE id = OLD.post_id)
        AND day = date(OLD.created_at);
    UPDATE insight_day_people SET contributions = contributions - 1
    WHERE group_id = (SELECT group_id FROM posts WHERE id = OLD.post_id)
        AND day = date(OLD.created_at) AND person_id = OLD.author_id;
END;

CREATE TRIGGER insight_comments_update AFTER UPDATE OF deleted, created_at, post_id, author_id
ON comments
WHEN OLD.deleted IS NOT NEW.deleted OR OLD.created_at IS NOT NEW.created_at
    OR OLD.post_id IS NOT NEW.post_id OR OLD.author_id IS NOT NEW.author_id BEGIN
    UPDATE insight_days SET comments = comments - 1
    WHERE NOT OLD.deleted AND group_id = (SELECT group_id FROM posts WHERE id = OLD.post_id)
        AND day = date(OLD.created_at);
    UPDATE insight_day_people SET contributions = contributions - 1
    WHERE NOT OLD.deleted AND group_id = (SELECT group_id FROM posts WHERE id = OLD.post_id)
        AND day = date(OLD.created_at) AND person_id = OLD.author_id;
    INSERT INTO insight_days (group_id, day, comments)
    SELECT group_id, date(NEW.created_at), 1 FROM posts WHERE id = NEW.post_id AND NOT NEW.deleted
    ON CONFLICT (group_id, day) DO UPDATE SET comments = comments + excluded.comments;
    INSERT INTO insight_day_people (group_id, day, person_id, contributions)
    SELECT group_id, date(NEW.created_at), NEW.author_id, 1 FROM posts
    WHERE id = NEW.post_id AND NOT NEW.deleted
    ON CONFLICT (group_id, day, person_id)
    DO UPDATE SET contributions = contributions + excluded.contributions;
END;

-- Votes on threads. A changed vote moves to the day of its change, as `created_at` does.
CREATE TRIGGER insight_post_votes_insert AFTER INSERT ON post_votes BEGIN
    INSERT INTO insight_days (group_id, day, votes)
    SELECT group_id, date(NEW.created_at), 1 FROM posts WHERE id = NEW.post_id
    ON CONFLICT (group_id, day) DO UPDATE SET votes = votes + excluded.votes;
    INSERT INTO insight_day_people (group_id, day, person_id, contributions)
    SELECT group_id, date(NEW.created_at), NEW.person_id, 1 FROM posts WHERE id = NEW.post_id
    ON CONFLICT (group_id, day, person_id)
    DO UPDATE SET contributions = contributions + excluded.contributions;
END;

CREATE TRIGGER insight_post_votes_delete AFTER DELETE ON post_votes BEGIN
    UPDATE insight_days SET votes = votes - 1
    WHERE group_id = (SELECT group_id FROM posts WHERE id = OLD.post_id)
        AND day = date(OLD.created_at);
    UPDATE insight_day_people SET contributions = contributions - 1
    WHERE group_id = (SELECT group_id FROM posts WHERE id = OLD.post_id)
        AND day = date(OLD.created_at) AND person_id = OLD.person_id;
END;

CREATE TRIGGER insight_post_votes_update AFTER UPDATE OF created_at, post_id, person_id ON post_votes
WHEN date(OLD.created_at) IS NOT date(NEW.created_at) OR OLD.post_id IS NOT NEW.post_id
    OR OLD.person_id IS NOT NEW.person_id BEGIN
    UPDATE insight_days SET votes = votes - 1
    WHERE group_id = (SELECT group_id FROM posts WHERE id = OLD.post_id)
        AND day = date(OLD.created_at);
    UPDATE insight_day_people SET contributions = contributions - 1
    WHERE group_id = (SELECT group_id FROM posts WHERE id = OLD.post_id)
        AND day = date(OLD.created_at) AND person_id = OLD.person_id;
    INSERT INTO insight_days (group_id, day, votes)
    SELECT group_id, date(NEW.created_at), 1 FROM posts WHERE id = NEW.post_id
    ON CONFLICT (group_id, day) DO UPDATE SET votes = votes + excluded.votes;
    INSERT INTO insight_day_people (group_id, day, person_id, contributions)
    SELECT group_id, date(NEW.created_at), NEW.person_id, 1 FROM posts WHERE id = NEW.post_id
    ON CONFLICT (group_id, day, person_id)
    DO UPDATE SET contributions = contributions + excluded.contributions;
END;

-- Votes on comments, counted in the comment's thread's group.
CREATE TRIGGER insight_comment_votes_insert AFTER INSERT ON comment_votes BEGIN
    INSERT INTO insight_days (group_id, day, votes)
    SELECT p.group_id, date(NEW.created_at), 1
    FROM comments c JOIN posts p ON p.id = c.post_id WHERE c.id = NEW.comment_id
    ON CONFLICT (group_id, day) DO UPDATE SET votes = votes + excluded.votes;
    INSERT INTO insight_day_people (group_id, day, person_id, contributions)
    SELECT p.group_id, date(NEW.created_at), NEW.person_id, 1
    FROM comments c JOIN posts p ON p.id = c.post_id WHERE c.id = NEW.comment_id
    ON CONFLICT (group_id, day, person_id)
    DO UPDATE SET contributions = contributions + excluded.contributions;
END;

CREATE TRIGGER insight_comment_votes_delete AFTER DELETE ON comment_votes BEGIN
    UPDATE insight_days SET votes = votes - 1
    WHERE group_id = (SELECT p.group_id FROM comments c JOIN posts p ON p.id = c.post_id
                      WHERE c.id = OLD.comment_id)
        AND day = date(OLD.created_at);
    UPDATE insight_day_people SET contributions = contributions - 1
    WHERE group_id = (SELECT p.group_id FROM comments c JOIN posts p ON p.id = c.post_id
                      WHERE c.id = OLD.comment_id)
        AND day = date(OLD.created_at) AND person_id = OLD.person_id;
END;

CREATE TRIGGER insight_comment_votes_update AFTER UPDATE OF created_at, comment_id, person_id
ON comment_votes
WHEN date(OLD.created_at) IS NOT date(NEW.created_at) OR OLD.comment_id IS NOT NEW.comment_id
    OR OLD.person_id IS NOT NEW.person_id BEGIN
    UPDATE insight_days SET votes = votes - 1
    WHERE group_id = (SELECT p.group_id FROM comments c JOIN posts p ON p.id = c.post_id
                      WHERE c.id = OLD.comment_id)
        AND day = date(OLD.created_at);
    UPDATE insight_day_people SET contributions = contributions - 1
    WHERE group_id = (SELECT p.group_id FROM comments c JOIN posts p ON p.id = c.post_id
                      WHERE c.id = OLD.comment_id)
        AND day = date(OLD.created_at) AND person_id = OLD.person_id;
    INSERT INTO insight_days (group_id, day, votes)
    SELECT p.group_id, date(NEW.created_at), 1
    FROM comments c JOIN posts p ON p.id = c.post_id WHERE c.id = NEW.comment_id
    ON CONFLICT (group_id, day) DO UPDATE SET votes = votes + excluded.votes;
    INSERT INTO insight_day_people (group_id, day, person_id, contributions)
    SELECT p.group_id, date(NEW.created_at), NEW.person_id, 1
    FROM comments c JOIN posts p ON p.id = c.post_id WHERE c.id = NEW.comment_id
    ON CONFLICT (group_id, day, person_id)
    DO UPDATE SET contributions = contributions + excluded.contributions;
END;

-- Accepted follows (a pending one counts from its acceptance on, on the day it was asked).
CREATE TRIGGER insight_follows_insert AFTER INSERT ON group_follows WHEN NOT NEW.pending BEGIN
    INSERT INTO insight_days (group_id, day, follows, local_follows)
    SELECT NEW.group_id, date(NEW.created_at), 1, local FROM persons WHERE id = NEW.person_id
    ON CONFLICT (group_id, day) DO UPDATE SET follows = follows + excluded.follows,
        local_follows = local_follows + excluded.local_follows;
END;

CREATE TRIGGER insight_follows_delete AFTER DELETE ON group_follows WHEN NOT OLD.pending BEGIN
    UPDATE insight_days SET follows = follows - 1,
        local_follows = local_follows - (SELECT local FROM persons WHERE id = OLD.person_id)
    WHERE group_id = OLD.group_id AND day = date(OLD.created_at);
END;

CREATE TRIGGER insight_follows_update AFTER UPDATE OF pending, created_at, group_id, person_id
ON group_follows
WHEN OLD.pending IS NOT NEW.pending OR OLD.created_at IS NOT NEW.created_at
    OR OLD.group_id IS NOT NEW.group_id OR OLD.person_id IS NOT NEW.person_id BEGIN
    UPDATE insight_days SET follows = follows - 1,
        local_follows = local_follows - (SELECT local FROM persons WHERE id = OLD.person_id)
    WHERE NOT OLD.pending AND group_id = OLD.group_id AND day = date(OLD.created_at);
    INSERT INTO insight_days (group_id, day, follows, local_follows)
    SELECT NEW.group_id, date(NEW.created_at), 1, local FROM persons
    WHERE id = NEW.person_id AND NOT NEW.pending
    ON CONFLICT (group_id, day) DO UPDATE SET follows = follows + excluded.follows,
        local_follows = local_follows + excluded.local_follows;
END;

-- The first reply to a thread by someone else is found from this index alone.
DROP INDEX comments_post;
CREATE INDEX comments_post ON comments (post_id, created_at, id, author_id);
