-- Sales at the POS. The catalogue is a copy of HQ's products (job 1070);
-- a sale is staged here like a customer operation, answered at once, and
-- carried to HQ by the P-job. A sale names its customer by account, or by
-- the temporary id of its create while that is pending sync.

CREATE TABLE products (
    item_id       TEXT    PRIMARY KEY,
    name          TEXT    NOT NULL,
    price_cents   INTEGER NOT NULL,
    downloaded_at TEXT    NOT NULL
);

CREATE TABLE sales (
    id                    INTEGER PRIMARY KEY,
    -- The GUID the register made for the sale: the same Save sent twice is one sale.
    transaction_id        TEXT    NOT NULL UNIQUE,
    receipt_number        TEXT    NOT NULL UNIQUE,
    channel_id            INTEGER NOT NULL,
    register_number       INTEGER NOT NULL,
    -- The register's own count of sales, which numbers its receipts.
    register_sequence     INTEGER NOT NULL,
    kind                  TEXT    NOT NULL CHECK (kind IN ('cash_and_carry', 'customer_order')),
    customer_account      TEXT,
    customer_temporary_id TEXT,
    delivery_address      TEXT    NOT NULL DEFAULT '',
    total_cents           INTEGER NOT NULL,
    created_at            TEXT    NOT NULL,
    uploaded              INTEGER NOT NULL DEFAULT 0 CHECK (uploaded IN (0, 1)),
    UNIQUE (channel_id, register_number, register_sequence),
    CHECK (customer_account IS NOT NULL OR customer_temporary_id IS NOT NULL)
);

CREATE INDEX sales_not_uploaded ON sales (uploaded, id);
CREATE INDEX sales_by_account ON sales (customer_account);
CREATE INDEX sales_by_temporary_id ON sales (customer_temporary_id);

CREATE TABLE sale_lines (
    sale_id     INTEGER NOT NULL REFERENCES sales (id),
    line        INTEGER NOT NULL,
    item_id     TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    quantity    INTEGER NOT NULL,
    price_cents INTEGER NOT NULL,
    PRIMARY KEY (sale_id, line)
);
