DROP INDEX attachments_url;
DROP TABLE uploads;
