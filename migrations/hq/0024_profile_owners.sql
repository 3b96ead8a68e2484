-- A shopper's sign-up looks up whether its customer is another shopper's
-- profile already (a sign-up sent again by someone else), at every sign-up.
CREATE INDEX users_by_profile_key ON users (profile_key) WHERE profile_key IS NOT NULL;
