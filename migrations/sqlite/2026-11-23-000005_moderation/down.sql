DROP TABLE reports;
DROP TABLE mod_log;
