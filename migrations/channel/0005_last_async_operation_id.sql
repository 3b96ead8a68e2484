-- Copied from HQ by job 1010: the temporary id of the newest staged
-- operation HQ has applied to the customer. The changes this channel
-- staged after it, by the staging table's own numbering, are still on
-- their way; its time is used only for an operation another channel
-- database staged.
ALTER TABLE customers ADD COLUMN last_async_operation_id TEXT;
