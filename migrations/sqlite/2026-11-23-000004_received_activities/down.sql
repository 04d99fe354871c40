DROP TABLE received_activities;
