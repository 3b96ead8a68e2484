-- Which user each signed-in session belongs to, written at sign-in, so that
-- an admin's "Sign out everywhere" (or a change of the user's role or store)
-- can end every session of that user. tower_sessions keeps its data in a
-- form SQL cannot search.
CREATE TABLE user_sessions (
    session_id TEXT PRIMARY KEY NOT NULL,
    user_name  TEXT NOT NULL
);

CREATE INDEX user_sessions_by_user ON user_sessions (user_name);
