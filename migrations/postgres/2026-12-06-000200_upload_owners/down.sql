DROP INDEX upload_owners_person;
DROP TABLE upload_owners;
