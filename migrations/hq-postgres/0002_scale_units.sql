-- Scale units: each process serves one, with its own channel database, and
-- HQ keeps which unit serves each channel. Job 1070 sends the assignment,
-- so a change of it versions the channel row.
CREATE TABLE scale_units (
    name       TEXT COLLATE "C" PRIMARY KEY,
    started_at TEXT COLLATE "C" NOT NULL
);

ALTER TABLE channels ADD COLUMN scale_unit TEXT COLLATE "C" REFERENCES scale_units (name);

DROP TRIGGER channels_versioned ON channels;
CREATE TRIGGER channels_versioned
    BEFORE INSERT OR UPDATE OF name, kind, default_customer_group, create_customer_async_mode, scale_unit
    ON channels
    FOR EACH ROW EXECUTE FUNCTION version_row();

-- Each run names the scale unit whose process ran it; an uploaded
-- operation's scale unit is that of the P-job run that uploaded it.
ALTER TABLE job_runs ADD COLUMN scale_unit TEXT COLLATE "C";
CREATE INDEX job_runs_by_scale_unit ON job_runs (scale_unit, job, run_id);
