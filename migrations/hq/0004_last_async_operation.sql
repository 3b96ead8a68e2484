-- The time (in the channel's clock) of the newest asynchronous operation
-- applied to each customer, sent to the channels with job 1010 so that they
-- know which of their staged changes HQ already shows.
ALTER TABLE customers ADD COLUMN last_async_operation_at TEXT;
