-- HQ's statements are written once for SQLite and PostgreSQL, so they test
-- the flag as `OnlineOperationCompleted = FALSE`. SQLite uses a partial
-- index only for a condition written as the index's own: the index of
-- pending operations says it the same way, or the sync would walk every
-- operation ever synced.
DROP INDEX retailasynccustomerv2_pending;
CREATE INDEX retailasynccustomerv2_pending ON RETAILASYNCCUSTOMERV2 (id)
    WHERE OnlineOperationCompleted = FALSE;
