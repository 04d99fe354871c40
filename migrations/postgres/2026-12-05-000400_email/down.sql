DROP TABLE outgoing_mails;
DROP TABLE mail_tokens;
DROP TABLE mail_preferences;
ALTER TABLE local_users DROP COLUMN email_verified_at;
