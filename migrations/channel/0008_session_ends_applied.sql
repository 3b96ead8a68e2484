-- The last of HQ's session ends (session_ends) this scale unit has applied
-- to the sessions it keeps.
CREATE TABLE session_ends_applied (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    last_end_id INTEGER NOT NULL
);
INSERT INTO session_ends_applied (id, last_end_id) VALUES (1, 0);

-- The last of HQ's session ends when each session signed in: an end ends
-- only the sessions that began before it.
ALTER TABLE user_sessions ADD COLUMN last_end_seen INTEGER NOT NULL DEFAULT 0;
