-- Sales: the catalogue, the channels' sales as the P-job uploads them, what
-- Synchronize orders and Post statements make of them, and loyalty cards.

CREATE TABLE products (
    item_id     TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    price_cents INTEGER NOT NULL
);

INSERT INTO products (item_id, name, price_cents) VALUES
    ('0001', 'Coffee beans, 1 kg', 1850),
    ('0002', 'Espresso cups, set of 4', 2400),
    ('0003', 'Pour-over kettle', 4500),
    ('0004', 'Paper filters, 100', 650),
    ('0005', 'Travel mug', 1995);

-- One row per uploaded sale. status: uploaded (Synchronize orders has not
-- taken it), waiting_for_customer (its customer has not synced; reason
-- says why), created (a customer order, with its sales order number),
-- invoiced (a cash-and-carry transaction), posted (in a statement).
CREATE TABLE sales_transactions (
    id                    INTEGER PRIMARY KEY,
    transaction_id        TEXT    NOT NULL UNIQUE,
    receipt_number        TEXT    NOT NULL,
    channel_id            INTEGER NOT NULL,
    register_number       INTEGER NOT NULL,
    kind                  TEXT    NOT NULL CHECK (kind IN ('cash_and_carry', 'customer_order')),
    customer_account      TEXT,
    customer_temporary_id TEXT,
    delivery_address      TEXT    NOT NULL,
    total_cents           INTEGER NOT NULL,
    created_at            TEXT    NOT NULL,
    uploaded_at           TEXT    NOT NULL,
    upload_run_id         INTEGER NOT NULL,
    status                TEXT    NOT NULL DEFAULT 'uploaded'
        CHECK (status IN ('uploaded', 'waiting_for_customer', 'created', 'invoiced', 'posted')),
    account               TEXT,
    reason                TEXT,
    sales_order           TEXT    UNIQUE,
    synced_by             TEXT,
    synced_at             TEXT,
    statement_id          INTEGER
);

CREATE INDEX sales_transactions_open ON sales_transactions (status, id);
CREATE INDEX sales_transactions_by_temporary_id ON sales_transactions (customer_temporary_id);

CREATE TABLE sales_lines (
    sale_id     INTEGER NOT NULL REFERENCES sales_transactions (id),
    line        INTEGER NOT NULL,
    item_id     TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    quantity    INTEGER NOT NULL,
    price_cents INTEGER NOT NULL,
    PRIMARY KEY (sale_id, line)
);

-- End-of-day: one statement per store and run of Post statements.
CREATE TABLE statements (
    statement_id INTEGER PRIMARY KEY,
    channel_id   INTEGER NOT NULL,
    posted_at    TEXT    NOT NULL,
    run_id       INTEGER NOT NULL,
    transactions INTEGER NOT NULL,
    total_cents  INTEGER NOT NULL
);

CREATE TABLE loyalty_cards (
    card_number TEXT    PRIMARY KEY,
    account     TEXT    NOT NULL UNIQUE REFERENCES customers (account),
    issued_at   TEXT    NOT NULL,
    channel_id  INTEGER NOT NULL
);

INSERT INTO number_sequences (name, prefix, digits, next_number) VALUES
    ('Sales order', 'SO-', 6, 1),
    ('Loyalty card', 'LC-', 8, 1)
ON CONFLICT (name) DO NOTHING;

-- The receipt of the sale whose sync carried a customer operation along
-- (Synchronize orders, Post statements), for the operation's timeline.
ALTER TABLE sync_attempts ADD COLUMN for_receipt TEXT;
