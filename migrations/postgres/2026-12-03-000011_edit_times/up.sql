-- When the text of a thread or comment was last edited. `updated_at` also moves when a comment is
-- marked an official answer or when either is deleted, which are not edits: pages show "edited",
-- and the published object's `updated`, from this time only.
ALTER TABLE posts ADD COLUMN edited_at TIMESTAMP;
ALTER TABLE comments ADD COLUMN edited_at TIMESTAMP;

-- Until now only an edit or a deletion set a thread's `updated_at`, and on a comment also marking
-- it official (or not). Where nothing but an edit can have set it, it is the edit time; a comment
-- that is an official answer cannot be told apart and is left without one.
UPDATE posts SET edited_at = updated_at WHERE updated_at IS NOT NULL AND NOT deleted;
UPDATE comments SET edited_at = updated_at
    WHERE updated_at IS NOT NULL AND NOT deleted AND NOT distinguished;
