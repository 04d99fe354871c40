-- The instance actor signs outgoing fetches (servers in authorized-fetch mode refuse unsigned
-- GETs); its RSA key pair lives with the site row and is generated on first start.
ALTER TABLE site ADD COLUMN public_key TEXT;
ALTER TABLE site ADD COLUMN private_key TEXT;
