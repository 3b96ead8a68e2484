-- The HQ database: master data, the uploaded copies of the channels'
-- RETAILASYNC* tables, and the history of every job run.

CREATE TABLE features (
    name        TEXT    PRIMARY KEY,
    sort_order  INTEGER NOT NULL,
    enabled     INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    changed_at  TEXT    NOT NULL
);

-- Channels with their functionality profile option "Create customer in
-- async mode".
CREATE TABLE channels (
    channel_id                 INTEGER PRIMARY KEY,
    name                       TEXT    NOT NULL UNIQUE,
    kind                       TEXT    NOT NULL CHECK (kind IN ('store', 'online')),
    default_customer_group     TEXT    NOT NULL,
    create_customer_async_mode INTEGER NOT NULL CHECK (create_customer_async_mode IN (0, 1)),
    changed_at                 TEXT    NOT NULL
);

CREATE TABLE registers (
    channel_id      INTEGER NOT NULL REFERENCES channels (channel_id),
    register_number INTEGER NOT NULL,
    PRIMARY KEY (channel_id, register_number)
);

CREATE TABLE customer_groups (
    group_id    TEXT PRIMARY KEY,
    description TEXT NOT NULL
);

CREATE TABLE number_sequences (
    name        TEXT    PRIMARY KEY,
    prefix      TEXT    NOT NULL,
    digits      INTEGER NOT NULL,
    next_number INTEGER NOT NULL
);

CREATE TABLE customers (
    account           TEXT    PRIMARY KEY,
    party_type        TEXT    NOT NULL,
    first_name        TEXT    NOT NULL,
    middle_name       TEXT    NOT NULL,
    last_name         TEXT    NOT NULL,
    organization_name TEXT    NOT NULL,
    email             TEXT    NOT NULL,
    phone             TEXT    NOT NULL,
    customer_group    TEXT    NOT NULL REFERENCES customer_groups (group_id),
    language          TEXT    NOT NULL,
    currency          TEXT    NOT NULL,
    created_at        TEXT    NOT NULL,
    changed_at        TEXT    NOT NULL,
    -- Where an asynchronously created customer came from.
    source_channel_id INTEGER,
    async_customer_id TEXT    UNIQUE
);

CREATE TABLE customer_addresses (
    account        TEXT    NOT NULL REFERENCES customers (account),
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

CREATE TABLE customer_contacts (
    account      TEXT    NOT NULL REFERENCES customers (account),
    line         INTEGER NOT NULL,
    contact_type TEXT    NOT NULL,
    value        TEXT    NOT NULL,
    is_primary   INTEGER NOT NULL,
    PRIMARY KEY (account, line)
);

CREATE TABLE customer_affiliations (
    account     TEXT NOT NULL REFERENCES customers (account),
    affiliation TEXT NOT NULL,
    PRIMARY KEY (account, affiliation)
);

CREATE TABLE customer_attributes (
    account TEXT NOT NULL REFERENCES customers (account),
    name    TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (account, name)
);

-- The uploaded copies of the channels' staging tables, with the sync
-- outcome of each operation.
CREATE TABLE RETAILASYNCCUSTOMERV2 (
    id                       INTEGER PRIMARY KEY,
    temporary_id             TEXT    NOT NULL UNIQUE,
    operation                TEXT    NOT NULL CHECK (operation IN ('create', 'update', 'add_address')),
    channel_id               INTEGER NOT NULL,
    register_number          INTEGER,
    customer_account         TEXT,
    customer_temporary_id    TEXT,
    party_type               TEXT    NOT NULL,
    first_name               TEXT    NOT NULL,
    middle_name              TEXT    NOT NULL,
    last_name                TEXT    NOT NULL,
    organization_name        TEXT    NOT NULL,
    email                    TEXT    NOT NULL,
    phone                    TEXT    NOT NULL,
    customer_group           TEXT    NOT NULL,
    language                 TEXT    NOT NULL,
    currency                 TEXT    NOT NULL,
    created_at               TEXT    NOT NULL,
    uploaded_at              TEXT    NOT NULL,
    upload_run_id            INTEGER NOT NULL,
    OnlineOperationCompleted INTEGER NOT NULL DEFAULT 0 CHECK (OnlineOperationCompleted IN (0, 1)),
    account                  TEXT,
    error                    TEXT,
    retry_count              INTEGER NOT NULL DEFAULT 0,
    last_attempt_at          TEXT
);

CREATE INDEX retailasynccustomerv2_pending ON RETAILASYNCCUSTOMERV2 (OnlineOperationCompleted, id);

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

-- Every run of a CDX job or a batch job: the distribution schedule's and the
-- batch jobs' history.
CREATE TABLE job_runs (
    run_id     INTEGER PRIMARY KEY,
    job        TEXT    NOT NULL,
    trigger    TEXT    NOT NULL,
    started_at TEXT    NOT NULL,
    ended_at   TEXT,
    rows_total INTEGER NOT NULL DEFAULT 0,
    succeeded  INTEGER NOT NULL DEFAULT 0,
    failed     INTEGER NOT NULL DEFAULT 0,
    outcome    TEXT    NOT NULL CHECK (outcome IN ('Running', 'Succeeded', 'Completed with errors', 'Failed')),
    message    TEXT
);

CREATE INDEX job_runs_by_job ON job_runs (job, run_id);
