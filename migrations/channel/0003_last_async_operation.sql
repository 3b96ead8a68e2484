-- Copied from HQ by job 1010: the newest staged operation HQ has applied to
-- the customer. Staged changes made after it are still on their way.
ALTER TABLE customers ADD COLUMN last_async_operation_at TEXT;
