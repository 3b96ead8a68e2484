//! The history of every CDX and batch job run.

use super::{HqDb, HqDbError};
use crate::domain::jobs::{Job, JobRun, RunCounts, RunOutcome};

/// Why a run closed by another than its own task ended.
const INTERRUPTED: &str = "Interrupted: the run stopped without finishing (its server stopped, or lost the run's \
                           lease). Its committed work is kept; run the job again to finish the rest.";

pub(super) const RUN_COLUMNS: &str = "run_id, job, trigger, started_at, ended_at, rows_total, rows_done, succeeded, failed, outcome, message, scale_unit";

/// Which run a process starts: the job, the lease that keeps a second run
/// of the same work from starting (`Job::lease_key`), the scale unit whose
/// process runs it, and whether its schedule started it.
#[derive(Debug, Clone, Copy)]
pub struct RunStart<'a> {
    pub job_code: &'a str,
    pub lease_key: &'a str,
    pub scale_unit: &'a str,
    /// A scheduled run starts only while its job is still due: not once a
    /// run of it began within its recurrence (in the scale unit, or
    /// chain-wide for a batch job), which another process may have started
    /// since the scheduler looked.
    pub scheduled: bool,
}

/// The lease a run holds: the job's lease key (`Job::lease_key`) and the
/// process holding it.
#[derive(Debug, Clone, Copy)]
pub struct LeaseHeld<'a> {
    pub key: &'a str,
    pub holder: &'a str,
}

impl HqDb {
    /// Takes the run's lease for `lease_seconds` and records the start of a
    /// run, in one transaction; None while another holder's lease is alive,
    /// in this process or another, and for a scheduled run that is no
    /// longer due.
    pub async fn start_job_run(
        &self,
        run: RunStart<'_>,
        trigger: &str,
        holder: &str,
        lease_seconds: u32,
    ) -> Result<Option<i64>, HqDbError> {
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_write().await?;
            if run.scheduled {
                let per_scale_unit = Job::from_code(run.job_code).is_some_and(Job::per_scale_unit);
                let ran_this_recurrence: bool = sqlx::query_scalar(&format!(
                    "SELECT EXISTS (SELECT 1 FROM job_runs r JOIN job_schedules s ON s.job = r.job
                                    WHERE r.job = $1 AND ($2 IS NULL OR r.scale_unit = $2)
                                      AND r.started_at > {since})",
                    since = sql.minutes_ago("s.interval_minutes")
                ))
                .bind(run.job_code)
                .bind(per_scale_unit.then_some(run.scale_unit))
                .fetch_one(&mut *tx)
                .await?;
                if ran_this_recurrence {
                    return Ok(None);
                }
            }
            // The run a lease named when it is taken over stopped without
            // finishing (its process died, or the request that started it
            // was dropped): the upsert below takes only a lapsed lease.
            let lapsed_run: Option<i64> = sqlx::query_scalar("SELECT run_id FROM job_leases WHERE job = $1")
                .bind(run.lease_key)
                .fetch_optional(&mut *tx)
                .await?;
            let taken = sqlx::query(&format!(
                "INSERT INTO job_leases (job, holder, run_id, expires_at)
                 VALUES ($1, $2, 0, {expires})
                 ON CONFLICT (job) DO UPDATE
                 SET holder = excluded.holder, run_id = 0, expires_at = excluded.expires_at
                 WHERE job_leases.expires_at < {now}",
                expires = sql.seconds_from_now("$3"),
                now = sql.now()
            ))
            .bind(run.lease_key)
            .bind(holder)
            .bind(i64::from(lease_seconds))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if taken == 0 {
                return Ok(None);
            }
            if let Some(lapsed_run) = lapsed_run {
                sqlx::query(&format!(
                    "UPDATE job_runs SET ended_at = {now}, outcome = 'Failed', message = $1
                     WHERE run_id = $2 AND outcome = 'Running'",
                    now = sql.now()
                ))
                .bind(INTERRUPTED)
                .bind(lapsed_run)
                .execute(&mut *tx)
                .await?;
            }
            let run_id: i64 = sqlx::query_scalar(&format!(
                "INSERT INTO job_runs (job, trigger, started_at, outcome, scale_unit)
                 VALUES ($1, $2, {now}, 'Running', $3)
                 RETURNING run_id",
                now = sql.now()
            ))
            .bind(run.job_code)
            .bind(trigger)
            .bind(run.scale_unit)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("UPDATE job_leases SET run_id = $1 WHERE job = $2")
                .bind(run_id)
                .bind(run.lease_key)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(Some(run_id))
        })
    }

    /// Extends a lease its holder still has; false when it has not: it
    /// lapsed, and another run took the job over.
    pub async fn renew_job_lease(
        &self,
        lease_key: &str,
        holder: &str,
        lease_seconds: u32,
    ) -> Result<bool, HqDbError> {
        on_engine!(self, |pools, sql| {
            let renewed = sqlx::query(&format!(
                "UPDATE job_leases SET expires_at = {expires} WHERE job = $2 AND holder = $3",
                expires = sql.seconds_from_now("$1")
            ))
            .bind(i64::from(lease_seconds))
            .bind(lease_key)
            .bind(holder)
            .execute(&pools.write)
            .await?;
            Ok(renewed.rows_affected() == 1)
        })
    }

    pub async fn release_job_lease(&self, lease_key: &str, holder: &str) -> Result<(), HqDbError> {
        on_engine!(self, |pools, sql| {
            sqlx::query("DELETE FROM job_leases WHERE job = $1 AND holder = $2")
                .bind(lease_key)
                .bind(holder)
                .execute(&pools.write)
                .await?;
        });
        Ok(())
    }

    /// Records how far a running job has come.
    pub async fn report_job_progress(
        &self,
        run_id: i64,
        total: i64,
        counts: RunCounts,
    ) -> Result<(), HqDbError> {
        on_engine!(self, |pools, sql| {
            sqlx::query(
            "UPDATE job_runs SET rows_total = $1, rows_done = $2, succeeded = $3, failed = $4 WHERE run_id = $5",
        )
        .bind(total)
        .bind(counts.rows)
        .bind(counts.succeeded)
        .bind(counts.failed)
        .bind(run_id)
        .execute(&pools.write)
        .await?;
        });
        Ok(())
    }

    /// Records the end of run `run_id` and releases the lease it held, in
    /// one transaction.
    pub async fn finish_job_run(
        &self,
        run_id: i64,
        lease: LeaseHeld<'_>,
        outcome: RunOutcome,
        counts: RunCounts,
        message: Option<&str>,
    ) -> Result<JobRun, HqDbError> {
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_write().await?;
            let run = sqlx::query_as(&format!(
                "UPDATE job_runs SET ended_at = {now}, outcome = $1, rows_total = $2, rows_done = $2, succeeded = $3,
                                     failed = $4, message = $5
                 WHERE run_id = $6 RETURNING {RUN_COLUMNS}",
                now = sql.now()
            ))
            .bind(outcome.caption())
            .bind(counts.rows)
            .bind(counts.succeeded)
            .bind(counts.failed)
            .bind(message)
            .bind(run_id)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM job_leases WHERE job = $1 AND holder = $2")
                .bind(lease.key)
                .bind(lease.holder)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(run)
        })
    }

    /// Closes a run still recorded as running (its task stopped without
    /// finishing it) as failed, with what it had committed.
    pub async fn close_job_run_if_running(
        &self,
        run_id: i64,
        counts: RunCounts,
        message: &str,
    ) -> Result<(), HqDbError> {
        on_engine!(self, |pools, sql| {
            sqlx::query(&format!(
                "UPDATE job_runs SET ended_at = {now}, outcome = 'Failed', rows_done = $1, succeeded = $2,
                                 failed = $3, message = $4
             WHERE run_id = $5 AND outcome = 'Running'",
                now = sql.now()
            ))
            .bind(counts.rows)
            .bind(counts.succeeded)
            .bind(counts.failed)
            .bind(message)
            .bind(run_id)
            .execute(&pools.write)
            .await?;
        });
        Ok(())
    }

    /// Closes a run that lost its lease with what it committed and why:
    /// still running, or closed as interrupted (without its counts) by the
    /// run that took the lease over.
    pub async fn close_lost_job_run(
        &self,
        run_id: i64,
        counts: RunCounts,
        message: &str,
    ) -> Result<(), HqDbError> {
        on_engine!(self, |pools, sql| {
            sqlx::query(&format!(
                "UPDATE job_runs SET ended_at = COALESCE(ended_at, {now}), outcome = 'Failed', rows_done = $1,
                                     succeeded = $2, failed = $3, message = $4
                 WHERE run_id = $5 AND (outcome = 'Running' OR message = $6)",
                now = sql.now()
            ))
            .bind(counts.rows)
            .bind(counts.succeeded)
            .bind(counts.failed)
            .bind(message)
            .bind(run_id)
            .bind(INTERRUPTED)
            .execute(&pools.write)
            .await?;
        });
        Ok(())
    }

    /// Runs left "Running" by a process that stopped are closed as failed,
    /// so the history never claims a run that nothing is doing.
    pub async fn close_interrupted_runs(&self) -> Result<u64, HqDbError> {
        on_engine!(self, |pools, sql| {
            Ok(sqlx::query(&format!(
                "UPDATE job_runs SET ended_at = {now}, outcome = 'Failed', message = $1
             WHERE outcome = 'Running'
               AND NOT EXISTS (SELECT 1 FROM job_leases l
                               WHERE l.run_id = job_runs.run_id AND l.expires_at >= {now})",
                now = sql.now()
            ))
            .bind(INTERRUPTED)
            .execute(&pools.write)
            .await?
            .rows_affected())
        })
    }

    /// One run, as the history holds it now.
    pub async fn job_run(&self, run_id: i64) -> Result<JobRun, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_as(&format!(
            "SELECT {RUN_COLUMNS} FROM job_runs WHERE run_id = $1"
        ))
        .bind(run_id)
        .fetch_one(&pools.read)
        .await?))
    }

    /// The latest runs of one job, newest first.
    pub async fn job_runs(&self, job_code: &str, limit: u32) -> Result<Vec<JobRun>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_as(&format!(
            "SELECT {RUN_COLUMNS} FROM job_runs WHERE job = $1 ORDER BY run_id DESC LIMIT $2"
        ))
        .bind(job_code)
        .bind(i64::from(limit))
        .fetch_all(&pools.read)
        .await?))
    }
}
