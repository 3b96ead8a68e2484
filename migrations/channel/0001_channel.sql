-- The channel database: the store's scale unit. Its configuration and
-- customer tables are copies written by the CDX download jobs; the
-- RETAILASYNC* tables stage what cashiers and shoppers create until the
-- P-job uploads it to HQ.

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

-- Copy of HQ customers (job 1010), including accounts created from this
-- channel's asynchronous operations.
CREATE TABLE customers (
    account           TEXT PRIMARY KEY,
    first_name        TEXT NOT NULL,
    last_name         TEXT NOT NULL,
    email             TEXT,
    customer_group    TEXT NOT NULL,
    async_customer_id TEXT UNIQUE,
    downloaded_at     TEXT NOT NULL
);

-- One row per asynchronous customer operation, in the order it was made.
CREATE TABLE RETAILASYNCCUSTOMERV2 (
    id                       INTEGER PRIMARY KEY,
    temporary_id             TEXT    NOT NULL UNIQUE,
    operation                TEXT    NOT NULL CHECK (operation IN ('create', 'update')),
    channel_id               INTEGER NOT NULL,
    register_number          INTEGER,
    first_name               TEXT    NOT NULL,
    last_name                TEXT    NOT NULL,
    email                    TEXT,
    customer_group           TEXT    NOT NULL,
    created_at               TEXT    NOT NULL,
    uploaded                 INTEGER NOT NULL DEFAULT 0 CHECK (uploaded IN (0, 1)),
    OnlineOperationCompleted INTEGER NOT NULL DEFAULT 0 CHECK (OnlineOperationCompleted IN (0, 1))
);

CREATE INDEX retailasynccustomerv2_not_uploaded ON RETAILASYNCCUSTOMERV2 (uploaded, id);
