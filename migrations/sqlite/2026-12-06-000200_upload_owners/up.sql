-- Who uploaded each picture. The same picture uploaded by several people is one stored file (one
-- `uploads` row), yet only the people who uploaded it may attach it to what they write (staff may
-- attach any), so each uploader is recorded here. `uploads.uploader_id` keeps the first.
CREATE TABLE upload_owners (
    upload_id BIGINT NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    PRIMARY KEY (upload_id, person_id)
);
-- An erased account's rows go with it.
CREATE INDEX upload_owners_person ON upload_owners (person_id);
INSERT INTO upload_owners (upload_id, person_id)
    SELECT id, uploader_id FROM uploads WHERE uploader_id IS NOT NULL;
