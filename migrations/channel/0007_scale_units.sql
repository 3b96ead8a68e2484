-- The scale unit HQ says serves each channel (job 1070). This database
-- belongs to one unit, which serves only its own channels. Rows downloaded
-- before there were scale units have none until the 1070 a unit runs on
-- its first start with them.
ALTER TABLE channels ADD COLUMN scale_unit TEXT;
