-- The highest HQ row version each download job has brought to this channel
-- database, so the next run asks only for what changed since; and whether a
-- register works offline.

CREATE TABLE cdx_download_state (
    job           TEXT    PRIMARY KEY,
    row_version   INTEGER NOT NULL,
    downloaded_at TEXT    NOT NULL
);

ALTER TABLE registers ADD COLUMN offline INTEGER NOT NULL DEFAULT 0 CHECK (offline IN (0, 1));
