ALTER TABLE site DROP COLUMN federation_allowlist;
ALTER TABLE site DROP COLUMN icon_url;
