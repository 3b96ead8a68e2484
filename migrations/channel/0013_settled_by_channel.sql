-- HQ's record of which of each channel's staged changes of the customer it
-- has settled, {"<channel id>": "<temporary id>"}, as job 1010 brings it.
-- NULL in a copy written before: the newest change of any store
-- (last_async_operation_*) is all that copy knows.
ALTER TABLE customers ADD COLUMN settled_by_channel TEXT;
