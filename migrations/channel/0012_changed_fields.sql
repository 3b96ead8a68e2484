-- The customer's own fields an update changes, as the columns' names,
-- comma separated (`ChangedFields`): HQ applies those alone, so that an
-- edit made from a copy behind HQ does not put back what another store
-- changed since. NULL, for creates, address additions and the updates
-- staged before this column, means every field.
ALTER TABLE RETAILASYNCCUSTOMERV2 ADD COLUMN changed_fields TEXT;
