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

-- A copy written before holds its customers without them: the store's next
-- start runs job 1010 as a first start does, before it serves a register,
-- and brings every customer again, whole.
DELETE FROM cdx_download_state WHERE job = '1010';
