-- The brand's logo (an absolute URL), and allow-list mode: when it is on, Plaza federates only
-- with the instances whose `instances.allowed` is set (a block still wins over an allow).
ALTER TABLE site ADD COLUMN icon_url TEXT;
ALTER TABLE site ADD COLUMN federation_allowlist BOOLEAN NOT NULL DEFAULT FALSE;
