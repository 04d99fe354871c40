DROP TABLE alert_webhooks;
DROP TABLE alert_state;
DROP TABLE alert_incidents;
DROP TABLE alert_rules;
