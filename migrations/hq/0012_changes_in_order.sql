-- The newest staged operation applied to each customer, by its temporary
-- id: a channel finds it in its own staging table and counts the changes
-- staged after it, in the order the channel database numbered them, as
-- still on their way. Its time alone cannot tell apart changes committed
-- in one writer group, which share it.
ALTER TABLE customers ADD COLUMN last_async_operation_id TEXT;

-- When a real-time service call last replaced the customer's own fields.
-- A staged update made before then is older than what HQ holds, and is
-- not applied over it.
ALTER TABLE customers ADD COLUMN realtime_edited_at TEXT;
