-- What the receiving server answered to the last attempt of a delivery: the HTTP status and the
-- first bytes of its answer. A delivery it refused (a final 4xx) is finished, not delivered: it
-- gets `refused_at` besides `failed_at`, so an administrator can see what is turned away.
ALTER TABLE deliveries ADD COLUMN last_status INTEGER;
ALTER TABLE deliveries ADD COLUMN last_response TEXT;
ALTER TABLE deliveries ADD COLUMN refused_at TIMESTAMP;
CREATE INDEX deliveries_refused ON deliveries (refused_at) WHERE refused_at IS NOT NULL;

-- How many deliveries each server refused, and when it last did.
ALTER TABLE instances ADD COLUMN refusal_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE instances ADD COLUMN last_refusal_at TIMESTAMP;
