-- Which HQ this is: see migrations/hq/0025_hq_identity.sql.
CREATE TABLE hq_identity (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    hq_id TEXT NOT NULL
);
INSERT INTO hq_identity (id, hq_id) VALUES (1, replace(gen_random_uuid()::text, '-', ''));
