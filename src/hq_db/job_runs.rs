//! The history of every CDX and batch job run.

use super::{HqDb, HqDbError};
use crate::jobs::{JobRun, RunCounts, RunOutcome};

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
const RUN_COLUMNS: &str =
    "run_id, job, trigger, started_at, ended_at, rows_total, succeeded, failed, outcome, message";

impl HqDb {
    /// Records the start of a run and returns its number.
    pub async fn start_job_run(&self, job_code: &str, trigger: &str) -> Result<i64, HqDbError> {
        let sql = format!(
            "INSERT INTO job_runs (job, trigger, started_at, outcome) VALUES (?, ?, {NOW}, 'Running')
             RETURNING run_id"
        );
        Ok(sqlx::query_scalar(&sql)
            .bind(job_code)
            .bind(trigger)
            .fetch_one(&self.pools.write)
            .await?)
    }

    pub async fn finish_job_run(
        &self,
        run_id: i64,
        outcome: RunOutcome,
        counts: RunCounts,
        message: Option<&str>,
    ) -> Result<JobRun, HqDbError> {
        let sql = format!(
            "UPDATE job_runs SET ended_at = {NOW}, outcome = ?, rows_total = ?, succeeded = ?, failed = ?,
                                 message = ?
             WHERE run_id = ? RETURNING {RUN_COLUMNS}"
        );
        Ok(sqlx::query_as(&sql)
            .bind(outcome.caption())
            .bind(counts.rows)
            .bind(counts.succeeded)
            .bind(counts.failed)
            .bind(message)
            .bind(run_id)
            .fetch_one(&self.pools.write)
            .await?)
    }

    /// Runs left "Running" by a process that stopped are closed as failed,
    /// so the history never claims a run that nothing is doing.
    pub async fn close_interrupted_runs(&self) -> Result<u64, HqDbError> {
        let sql = format!(
            "UPDATE job_runs SET ended_at = {NOW}, outcome = 'Failed',
                    message = 'Interrupted: the server stopped during this run. Its committed work is kept; run the job again to finish the rest.'
             WHERE outcome = 'Running'"
        );
        Ok(sqlx::query(&sql)
            .execute(&self.pools.write)
            .await?
            .rows_affected())
    }

    /// The latest runs of one job, newest first.
    pub async fn job_runs(&self, job_code: &str, limit: u32) -> Result<Vec<JobRun>, HqDbError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM job_runs WHERE job = ? ORDER BY run_id DESC LIMIT ?");
        Ok(sqlx::query_as(&sql)
            .bind(job_code)
            .bind(limit)
            .fetch_all(&self.pools.read)
            .await?)
    }
}
