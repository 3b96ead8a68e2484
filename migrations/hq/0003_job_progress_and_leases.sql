-- Progress of a running job, and the lease that lets one run of a job go
-- at a time across every process sharing this database.

ALTER TABLE job_runs ADD COLUMN rows_done INTEGER NOT NULL DEFAULT 0;

CREATE TABLE job_leases (
    job        TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    run_id     INTEGER NOT NULL,
    expires_at TEXT NOT NULL
);

-- HQ's unique-email rule looks customers up by email, whatever its case.
CREATE INDEX customers_by_email ON customers (lower(email));
