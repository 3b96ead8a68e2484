-- Server-side sessions (tower-sessions' SQLite store, table of its own
-- shape). They live in the channel database so that a signed-in cashier
-- keeps working while HQ is out of reach.
CREATE TABLE tower_sessions (
    id          TEXT PRIMARY KEY NOT NULL,
    data        BLOB NOT NULL,
    expiry_date INTEGER NOT NULL
);
