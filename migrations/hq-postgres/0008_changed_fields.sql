-- The customer's own fields an update changes, as the columns' names,
-- comma separated (`ChangedFields`): HQ applies those alone, so that an
-- edit made from a copy behind HQ does not put back what another store
-- changed since. NULL, for creates, address additions and the updates
-- staged before this column, means every field.
ALTER TABLE RETAILASYNCCUSTOMERV2 ADD COLUMN changed_fields TEXT;

-- The same for the updates HQ made in real time, which a staged update
-- made before them is checked against, by customer and time. Their fields
-- replace the customer's time of its last real-time edit.
ALTER TABLE realtime_operations ADD COLUMN changed_fields TEXT;
CREATE INDEX realtime_operations_by_customer ON realtime_operations (account, made_at);
ALTER TABLE customers DROP COLUMN realtime_edited_at;
