-- Which HQ this is. A channel database records the HQ it was filled from
-- (filled_from_hq), so a store started against another HQ (this one made
-- anew under a kept channel database, or another one pointed to) refuses
-- to start: its download versions, session ends and customer accounts
-- belong to the other HQ, and its downloads would silently move nothing.
CREATE TABLE hq_identity (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    hq_id TEXT NOT NULL
);
INSERT INTO hq_identity (id, hq_id) VALUES (1, lower(hex(randomblob(16))));
