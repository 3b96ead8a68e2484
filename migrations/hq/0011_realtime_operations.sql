-- Every change a real-time service call made in HQ, under the operation id
-- the browser gave it, written in the same transaction as the change. The
-- same call sent again (its answer was lost, the register retried) finds
-- its row and gets the same answer instead of changing HQ twice.
CREATE TABLE realtime_operations (
    operation_id TEXT PRIMARY KEY,
    operation    TEXT NOT NULL,
    request      TEXT NOT NULL,
    account      TEXT NOT NULL,
    made_at      TEXT NOT NULL
);
