-- The HQ this channel database was filled from (hq_identity there). A
-- database made before this table adopts the HQ it next starts with.
CREATE TABLE filled_from_hq (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    hq_id TEXT NOT NULL
);
