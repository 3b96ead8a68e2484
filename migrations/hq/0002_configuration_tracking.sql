-- Who changed what in Feature management and the functionality profiles,
-- which HQ rows changed since a channel last downloaded them (row_version),
-- job recurrences, the real-time service and its call log.

CREATE TABLE feature_changes (
    change_id  INTEGER PRIMARY KEY,
    feature    TEXT    NOT NULL,
    old_value  INTEGER NOT NULL,
    new_value  INTEGER NOT NULL,
    changed_by TEXT    NOT NULL,
    changed_at TEXT    NOT NULL
);

CREATE TABLE profile_changes (
    change_id  INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL REFERENCES channels (channel_id),
    option     TEXT    NOT NULL,
    old_value  INTEGER NOT NULL,
    new_value  INTEGER NOT NULL,
    changed_by TEXT    NOT NULL,
    changed_at TEXT    NOT NULL
);

-- One counter for the whole database: every change of a row a download job
-- sends takes the next number, so a channel asks for "everything above N".
CREATE TABLE row_version_counter (next INTEGER NOT NULL);
INSERT INTO row_version_counter (next) VALUES (1);

ALTER TABLE features ADD COLUMN row_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN row_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE registers ADD COLUMN row_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customer_groups ADD COLUMN row_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN row_version INTEGER NOT NULL DEFAULT 0;

UPDATE features SET row_version = (SELECT next FROM row_version_counter);
UPDATE channels SET row_version = (SELECT next FROM row_version_counter);
UPDATE registers SET row_version = (SELECT next FROM row_version_counter);
UPDATE customer_groups SET row_version = (SELECT next FROM row_version_counter);
UPDATE customers SET row_version = (SELECT next FROM row_version_counter);
UPDATE row_version_counter SET next = next + 1;

CREATE TRIGGER features_versioned_insert AFTER INSERT ON features BEGIN
    UPDATE features SET row_version = (SELECT next FROM row_version_counter) WHERE name = NEW.name;
    UPDATE row_version_counter SET next = next + 1;
END;
CREATE TRIGGER features_versioned_update AFTER UPDATE OF enabled ON features BEGIN
    UPDATE features SET row_version = (SELECT next FROM row_version_counter) WHERE name = NEW.name;
    UPDATE row_version_counter SET next = next + 1;
END;

CREATE TRIGGER channels_versioned_insert AFTER INSERT ON channels BEGIN
    UPDATE channels SET row_version = (SELECT next FROM row_version_counter) WHERE channel_id = NEW.channel_id;
    UPDATE row_version_counter SET next = next + 1;
END;
CREATE TRIGGER channels_versioned_update
AFTER UPDATE OF name, kind, default_customer_group, create_customer_async_mode ON channels BEGIN
    UPDATE channels SET row_version = (SELECT next FROM row_version_counter) WHERE channel_id = NEW.channel_id;
    UPDATE row_version_counter SET next = next + 1;
END;

CREATE TRIGGER registers_versioned_insert AFTER INSERT ON registers BEGIN
    UPDATE registers SET row_version = (SELECT next FROM row_version_counter)
    WHERE channel_id = NEW.channel_id AND register_number = NEW.register_number;
    UPDATE row_version_counter SET next = next + 1;
END;

CREATE TRIGGER customer_groups_versioned_insert AFTER INSERT ON customer_groups BEGIN
    UPDATE customer_groups SET row_version = (SELECT next FROM row_version_counter) WHERE group_id = NEW.group_id;
    UPDATE row_version_counter SET next = next + 1;
END;
CREATE TRIGGER customer_groups_versioned_update AFTER UPDATE OF description ON customer_groups BEGIN
    UPDATE customer_groups SET row_version = (SELECT next FROM row_version_counter) WHERE group_id = NEW.group_id;
    UPDATE row_version_counter SET next = next + 1;
END;

CREATE TRIGGER customers_versioned_insert AFTER INSERT ON customers BEGIN
    UPDATE customers SET row_version = (SELECT next FROM row_version_counter) WHERE account = NEW.account;
    UPDATE row_version_counter SET next = next + 1;
END;
CREATE TRIGGER customers_versioned_update
AFTER UPDATE OF party_type, first_name, middle_name, last_name, organization_name, email, phone,
                customer_group, language, currency, changed_at ON customers BEGIN
    UPDATE customers SET row_version = (SELECT next FROM row_version_counter) WHERE account = NEW.account;
    UPDATE row_version_counter SET next = next + 1;
END;
CREATE TRIGGER customer_addresses_version_customer AFTER INSERT ON customer_addresses BEGIN
    UPDATE customers SET row_version = (SELECT next FROM row_version_counter) WHERE account = NEW.account;
    UPDATE row_version_counter SET next = next + 1;
END;
CREATE TRIGGER customer_addresses_version_customer_update AFTER UPDATE ON customer_addresses BEGIN
    UPDATE customers SET row_version = (SELECT next FROM row_version_counter) WHERE account = NEW.account;
    UPDATE row_version_counter SET next = next + 1;
END;

CREATE INDEX customers_by_row_version ON customers (row_version);

-- Recurrence of each job, in minutes; 0 means not scheduled.
CREATE TABLE job_schedules (
    job              TEXT    PRIMARY KEY,
    interval_minutes INTEGER NOT NULL CHECK (interval_minutes >= 0),
    changed_at       TEXT    NOT NULL
);

-- The simulated state of HQ's real-time service, set by an admin.
CREATE TABLE realtime_service (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    unreachable INTEGER NOT NULL CHECK (unreachable IN (0, 1)),
    changed_at  TEXT    NOT NULL
);
INSERT INTO realtime_service (id, unreachable, changed_at) VALUES (1, 0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

-- Every real-time service call a channel made, or wanted to make and could
-- not, with why it was made and how it ended.
CREATE TABLE realtime_calls (
    call_id         INTEGER PRIMARY KEY,
    called_at       TEXT    NOT NULL,
    channel_id      INTEGER NOT NULL,
    register_number INTEGER,
    operation       TEXT    NOT NULL,
    customer        TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    outcome         TEXT    NOT NULL,
    duration_ms     INTEGER NOT NULL
);

CREATE INDEX realtime_calls_by_time ON realtime_calls (call_id);
