-- "Sign out everywhere" and a change of a user's role or store end the
-- user's sessions in every scale unit. Sessions live in each unit's channel
-- database, so the ends are recorded here and each unit ends the sessions
-- it keeps as it reads them, in the order they were recorded.
CREATE TABLE session_ends (
    end_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    user_name TEXT NOT NULL,
    ended_at  TEXT NOT NULL
);
