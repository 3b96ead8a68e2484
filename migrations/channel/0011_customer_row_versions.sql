-- HQ's version of each customer the copy holds. A real-time call writes its
-- customer back at once, while a run of job 1010 may hold a batch it read
-- before that change; the copy keeps whichever is newer, never going back.
ALTER TABLE customers ADD COLUMN row_version INTEGER NOT NULL DEFAULT 0;
