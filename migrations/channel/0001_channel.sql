-- The channel database: the store's scale unit. Its configuration and
-- customer tables are copies written by the CDX download jobs; the
-- RETAILASYNC* tables stage what cashiers and shoppers create and change
-- until the P-job uploads it to HQ.

-- Copy of HQ channels and their functionality profile (job 1070).
CREATE TABLE channels (
    channel_id                 INTEGER PRIMARY KEY,
    name                       TEXT    NOT NULL UNIQUE,
    kind                       TEXT    NOT NULL CHECK (kind IN ('store', 'online')),
    default_customer_group     TEXT    NOT NULL,
    create_customer_async_mode INTEGER NOT NULL CHECK (create_customer_async_mode IN (0, 1)),
    downloaded_at              TEXT    NOT NULL
);

CREATE TABLE registers (
    channel_id      INTEGER NOT NULL REFERENCES channels (channel_id),
    register_number INTEGER NOT NULL,
    PRIMARY KEY (channel_id, register_number)
);

-- Copy of HQ feature management (job 1110).
CREATE TABLE features (
    name          TEXT    PRIMARY KEY,
    enabled       INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    downloaded_at TEXT    NOT NULL
);

-- Copy of HQ customer groups (job 1070).
CREATE TABLE customer_groups (
    group_id      TEXT PRIMARY KEY,
    description   TEXT NOT NULL,
    downloaded_at TEXT NOT NULL
);

-- Copy of HQ customers and their addresses (job 1010), including accounts
-- created from this channel's asynchronous operations.
CREATE TABLE customers (
    account           TEXT PRIMARY KEY,
    party_type        TEXT NOT NULL,
    first_name        TEXT NOT NULL,
    middle_name       TEXT NOT NULL,
    last_name         TEXT NOT NULL,
    organization_name TEXT NOT NULL,
    email             TEXT NOT NULL,
    phone             TEXT NOT NULL,
    customer_group    TEXT NOT NULL,
    language          TEXT NOT NULL,
    currency          TEXT NOT NULL,
    async_customer_id TEXT UNIQUE,
    downloaded_at     TEXT NOT NULL
);

CREATE TABLE customer_addresses (
    account        TEXT    NOT NULL REFERENCES customers (account) ON DELETE CASCADE,
    line           INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    purpose        TEXT    NOT NULL,
    street         TEXT    NOT NULL,
    city           TEXT    NOT NULL,
    state          TEXT    NOT NULL,
    zip            TEXT    NOT NULL,
    country_region TEXT    NOT NULL,
    is_primary     INTEGER NOT NULL,
    PRIMARY KEY (account, line)
);

-- One row per asynchronous customer operation, in the order it was made.
-- For a create, temporary_id is the customer's temporary asynchronous id.
-- An update or address addition names its customer by account when it is
-- synced, or by the temporary id of its create when it is not.
CREATE TABLE RETAILASYNCCUSTOMERV2 (
    id                       INTEGER PRIMARY KEY,
    temporary_id             TEXT    NOT NULL UNIQUE,
    operation                TEXT    NOT NULL CHECK (operation IN ('create', 'update', 'add_address')),
    channel_id               INTEGER NOT NULL,
    register_number          INTEGER,
    customer_account         TEXT,
    customer_temporary_id    TEXT,
    party_type               TEXT    NOT NULL DEFAULT 'person',
    first_name               TEXT    NOT NULL DEFAULT '',
    middle_name              TEXT    NOT NULL DEFAULT '',
    last_name                TEXT    NOT NULL DEFAULT '',
    organization_name        TEXT    NOT NULL DEFAULT '',
    email                    TEXT    NOT NULL DEFAULT '',
    phone                    TEXT    NOT NULL DEFAULT '',
    customer_group           TEXT    NOT NULL DEFAULT '',
    language                 TEXT    NOT NULL DEFAULT '',
    currency                 TEXT    NOT NULL DEFAULT '',
    created_at               TEXT    NOT NULL,
    uploaded                 INTEGER NOT NULL DEFAULT 0 CHECK (uploaded IN (0, 1)),
    OnlineOperationCompleted INTEGER NOT NULL DEFAULT 0 CHECK (OnlineOperationCompleted IN (0, 1))
);

CREATE INDEX retailasynccustomerv2_not_uploaded ON RETAILASYNCCUSTOMERV2 (uploaded, id);
CREATE INDEX retailasynccustomerv2_customer ON RETAILASYNCCUSTOMERV2 (customer_temporary_id);

CREATE TABLE RETAILASYNCADDRESSV2 (
    temporary_id   TEXT    NOT NULL REFERENCES RETAILASYNCCUSTOMERV2 (temporary_id),
    line           INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    purpose        TEXT    NOT NULL,
    street         TEXT    NOT NULL,
    city           TEXT    NOT NULL,
    state          TEXT    NOT NULL,
    zip            TEXT    NOT NULL,
    country_region TEXT    NOT NULL,
    is_primary     INTEGER NOT NULL,
    PRIMARY KEY (temporary_id, line)
);

CREATE TABLE RETAILASYNCCUSTOMERCONTACT (
    temporary_id TEXT    NOT NULL REFERENCES RETAILASYNCCUSTOMERV2 (temporary_id),
    line         INTEGER NOT NULL,
    contact_type TEXT    NOT NULL,
    value        TEXT    NOT NULL,
    is_primary   INTEGER NOT NULL,
    PRIMARY KEY (temporary_id, line)
);

CREATE TABLE RETAILASYNCCUSTOMERAFFILIATION (
    temporary_id TEXT    NOT NULL REFERENCES RETAILASYNCCUSTOMERV2 (temporary_id),
    line         INTEGER NOT NULL,
    affiliation  TEXT    NOT NULL,
    PRIMARY KEY (temporary_id, line)
);

CREATE TABLE RETAILASYNCCUSTOMERATTRIBUTEV2 (
    temporary_id TEXT    NOT NULL REFERENCES RETAILASYNCCUSTOMERV2 (temporary_id),
    line         INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    value        TEXT    NOT NULL,
    PRIMARY KEY (temporary_id, line)
);
