-- The latest run of each download job that stores its rows in several
-- transactions (job 1010's batches): only that run may store them, so a run
-- that another overtook (its lease lapsed) stores nothing more.

CREATE TABLE cdx_download_runs (
    job TEXT    PRIMARY KEY,
    run INTEGER NOT NULL
);
