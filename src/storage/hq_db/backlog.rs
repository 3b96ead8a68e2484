//! The backlog's samples, recorded by the job runs, and the latest runs the
//! status page plots.

use super::job_runs::RUN_COLUMNS;
use super::{HqDb, HqDbError};
use crate::domain::backlog::BacklogSample;
use crate::domain::jobs::JobRun;
use crate::domain::status_page::StatusCounts;

/// How many samples HQ keeps: older ones are deleted as new ones come.
const KEPT_SAMPLES: i64 = 2_000;

impl HqDb {
    /// Records the backlog as `run_id` found it now.
    pub async fn record_backlog(&self, run_id: i64, counts: &StatusCounts) -> Result<(), HqDbError> {
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_write().await?;
            let sample_id: i64 = sqlx::query_scalar(&format!(
                "INSERT INTO backlog_samples (sampled_at, run_id, pending_upload, pending_sync, failed)
                 VALUES ({now}, $1, $2, $3, $4)
                 RETURNING sample_id",
                now = sql.now()
            ))
            .bind(run_id)
            .bind(counts.pending_upload)
            .bind(counts.pending_sync)
            .bind(counts.failed)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM backlog_samples WHERE sample_id <= $1")
                .bind(sample_id - KEPT_SAMPLES)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The latest `limit` samples, oldest first.
    pub async fn backlog_samples(&self, limit: u32) -> Result<Vec<BacklogSample>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_as(
            "SELECT sampled_at, pending_upload, pending_sync, failed
             FROM (SELECT * FROM backlog_samples ORDER BY sample_id DESC LIMIT $1) latest
             ORDER BY sample_id",
        )
        .bind(i64::from(limit))
        .fetch_all(&pools.read)
        .await?))
    }

    /// The latest `limit` finished runs of the jobs named, oldest first.
    pub async fn finished_runs(&self, job_codes: [&str; 2], limit: u32) -> Result<Vec<JobRun>, HqDbError> {
        let statement = format!(
            "SELECT {RUN_COLUMNS}
             FROM (SELECT * FROM job_runs
                   WHERE job IN ($1, $2) AND ended_at IS NOT NULL
                   ORDER BY run_id DESC LIMIT $3) latest
             ORDER BY run_id"
        );
        on_engine!(self, |pools, sql| Ok(sqlx::query_as(&statement)
            .bind(job_codes[0])
            .bind(job_codes[1])
            .bind(i64::from(limit))
            .fetch_all(&pools.read)
            .await?))
    }
}
