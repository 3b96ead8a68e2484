-- The backlog (operations pending upload, pending sync and failed, every
-- channel together) as each run of the P-job and of the sync found it when
-- it started and when it ended: the status page plots it over time.
CREATE TABLE backlog_samples (
    sample_id      INTEGER PRIMARY KEY,
    sampled_at     TEXT    NOT NULL,
    run_id         INTEGER NOT NULL REFERENCES job_runs (run_id),
    pending_upload INTEGER NOT NULL,
    pending_sync   INTEGER NOT NULL,
    failed         INTEGER NOT NULL
);
