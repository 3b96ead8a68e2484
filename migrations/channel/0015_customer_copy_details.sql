-- The contacts, affiliations and attributes of the customers the channel
-- copies from HQ, so that a register shows a synced customer as whole as
-- it showed the pending one. Each is replaced whole with its customer.
CREATE TABLE customer_contacts (
    account      TEXT    NOT NULL REFERENCES customers (account) ON DELETE CASCADE,
    line         INTEGER NOT NULL,
    contact_type TEXT    NOT NULL,
    value        TEXT    NOT NULL,
    is_primary   INTEGER NOT NULL,
    PRIMARY KEY (account, line)
);

CREATE TABLE customer_affiliations (
    account     TEXT    NOT NULL REFERENCES customers (account) ON DELETE CASCADE,
    line        INTEGER NOT NULL,
    affiliation TEXT    NOT NULL,
    PRIMARY KEY (account, line)
);

CREATE TABLE customer_attributes (
    account TEXT    NOT NULL REFERENCES customers (account) ON DELETE CASCADE,
    line    INTEGER NOT NULL,
    name    TEXT    NOT NULL,
    value   TEXT    NOT NULL,
    PRIMARY KEY (account, line)
);

-- A copy written before holds its customers without them: the next run of
-- job 1010 brings every customer again, whole.
UPDATE cdx_download_state SET row_version = 0 WHERE job = '1010';
