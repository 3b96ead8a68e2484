-- Operations a channel commits in one writer group share their time. The
-- status page orders them by time, then by the number the channel database
-- gave each as it staged them (the order they were made), and by temporary
-- id only between channel databases. Operations uploaded before this
-- column existed take HQ's number: the P-job uploads each channel's
-- operations in the order they were made.
ALTER TABLE RETAILASYNCCUSTOMERV2 ADD COLUMN channel_sequence INTEGER NOT NULL DEFAULT 0;
UPDATE RETAILASYNCCUSTOMERV2 SET channel_sequence = id;

DROP INDEX status_page_by_time;
CREATE INDEX status_page_by_time ON RETAILASYNCCUSTOMERV2 (created_at, channel_sequence, temporary_id);
DROP INDEX status_page_by_status;
CREATE INDEX status_page_by_status ON RETAILASYNCCUSTOMERV2 (status, created_at, channel_sequence, temporary_id);
