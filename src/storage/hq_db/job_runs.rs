//! The history of every CDX and batch job run.

use super::{HqDb, HqDbError};
use crate::domain::jobs::{JobRun, RunCounts, RunOutcome};

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
pub(super) const RUN_COLUMNS: &str =
    "run_id, job, trigger, started_at, ended_at, rows_total, rows_done, succeeded, failed, outcome, message";

impl HqDb {
    /// Takes the job's lease for `lease_seconds` and records the start of a
    /// run, in one transaction; None while another holder's lease is alive,
    /// in this process or another.
    pub async fn start_job_run(
        &self,
        job_code: &str,
        trigger: &str,
        holder: &str,
        lease_seconds: u32,
    ) -> Result<Option<i64>, HqDbError> {
        let mut tx = self.pools.begin_write().await?;
        let taken = sqlx::query(&format!(
            "INSERT INTO job_leases (job, holder, run_id, expires_at)
             VALUES (?, ?, 0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+' || ? || ' seconds'))
             ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, run_id = 0, expires_at = excluded.expires_at
             WHERE job_leases.expires_at < {NOW}"
        ))
        .bind(job_code)
        .bind(holder)
        .bind(lease_seconds)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if taken == 0 {
            return Ok(None);
        }
        let run_id: i64 = sqlx::query_scalar(&format!(
            "INSERT INTO job_runs (job, trigger, started_at, outcome) VALUES (?, ?, {NOW}, 'Running')
             RETURNING run_id"
        ))
        .bind(job_code)
        .bind(trigger)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("UPDATE job_leases SET run_id = ? WHERE job = ?")
            .bind(run_id)
            .bind(job_code)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(run_id))
    }

    /// Extends a lease its holder still has.
    pub async fn renew_job_lease(
        &self,
        job_code: &str,
        holder: &str,
        lease_seconds: u32,
    ) -> Result<(), HqDbError> {
        sqlx::query(
            "UPDATE job_leases SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+' || ? || ' seconds')
             WHERE job = ? AND holder = ?",
        )
        .bind(lease_seconds)
        .bind(job_code)
        .bind(holder)
        .execute(&self.pools.write)
        .await?;
        Ok(())
    }

    pub async fn release_job_lease(&self, job_code: &str, holder: &str) -> Result<(), HqDbError> {
        sqlx::query("DELETE FROM job_leases WHERE job = ? AND holder = ?")
            .bind(job_code)
            .bind(holder)
            .execute(&self.pools.write)
            .await?;
        Ok(())
    }

    /// Records how far a running job has come.
    pub async fn report_job_progress(
        &self,
        run_id: i64,
        total: i64,
        counts: RunCounts,
    ) -> Result<(), HqDbError> {
        sqlx::query(
            "UPDATE job_runs SET rows_total = ?, rows_done = ?, succeeded = ?, failed = ? WHERE run_id = ?",
        )
        .bind(total)
        .bind(counts.rows)
        .bind(counts.succeeded)
        .bind(counts.failed)
        .bind(run_id)
        .execute(&self.pools.write)
        .await?;
        Ok(())
    }

    pub async fn finish_job_run(
        &self,
        run_id: i64,
        outcome: RunOutcome,
        counts: RunCounts,
        message: Option<&str>,
    ) -> Result<JobRun, HqDbError> {
        let sql = format!(
            "UPDATE job_runs SET ended_at = {NOW}, outcome = ?, rows_total = ?, rows_done = ?, succeeded = ?,
                                 failed = ?, message = ?
             WHERE run_id = ? RETURNING {RUN_COLUMNS}"
        );
        Ok(sqlx::query_as(&sql)
            .bind(outcome.caption())
            .bind(counts.rows)
            .bind(counts.rows)
            .bind(counts.succeeded)
            .bind(counts.failed)
            .bind(message)
            .bind(run_id)
            .fetch_one(&self.pools.write)
            .await?)
    }

    /// Closes a run still recorded as running (its task stopped without
    /// finishing it) as failed, with what it had committed.
    pub async fn close_job_run_if_running(
        &self,
        run_id: i64,
        counts: RunCounts,
        message: &str,
    ) -> Result<(), HqDbError> {
        sqlx::query(&format!(
            "UPDATE job_runs SET ended_at = {NOW}, outcome = 'Failed', rows_done = ?, succeeded = ?,
                                 failed = ?, message = ?
             WHERE run_id = ? AND outcome = 'Running'"
        ))
        .bind(counts.rows)
        .bind(counts.succeeded)
        .bind(counts.failed)
        .bind(message)
        .bind(run_id)
        .execute(&self.pools.write)
        .await?;
        Ok(())
    }

    /// Runs left "Running" by a process that stopped are closed as failed,
    /// so the history never claims a run that nothing is doing.
    pub async fn close_interrupted_runs(&self) -> Result<u64, HqDbError> {
        let sql = format!(
            "UPDATE job_runs SET ended_at = {NOW}, outcome = 'Failed',
                    message = 'Interrupted: the server stopped during this run. Its committed work is kept; run the job again to finish the rest.'
             WHERE outcome = 'Running'
               AND NOT EXISTS (SELECT 1 FROM job_leases l
                               WHERE l.run_id = job_runs.run_id AND l.expires_at >= {NOW})"
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
