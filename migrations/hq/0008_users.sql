-- The people who sign in: admins (HQ), cashiers (the POS of one store) and
-- shoppers (the online store, their own profile only). Passwords are argon2
-- PHC strings.
CREATE TABLE users (
    user_name     TEXT PRIMARY KEY NOT NULL,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'cashier', 'shopper')),
    channel_id    INTEGER REFERENCES channels (channel_id),
    profile_key   TEXT,
    CHECK ((role = 'cashier') = (channel_id IS NOT NULL))
);
