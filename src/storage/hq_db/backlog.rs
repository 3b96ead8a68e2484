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
        let mut tx = self.pools.begin_write().await?;
        let sample_id: i64 = sqlx::query_scalar(
            "INSERT INTO backlog_samples (sampled_at, run_id, pending_upload, pending_sync, failed)
             VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?, ?, ?, ?)
             RETURNING sample_id",
        )
        .bind(run_id)
        .bind(counts.pending_upload)
        .bind(counts.pending_sync)
        .bind(counts.failed)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM backlog_samples WHERE sample_id <= ?")
            .bind(sample_id - KEPT_SAMPLES)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The latest `limit` samples, oldest first.
    pub async fn backlog_samples(&self, limit: u32) -> Result<Vec<BacklogSample>, HqDbError> {
        Ok(sqlx::query_as(
            "SELECT sampled_at, pending_upload, pending_sync, failed
             FROM (SELECT * FROM backlog_samples ORDER BY sample_id DESC LIMIT ?)
             ORDER BY sample_id",
        )
        .bind(limit)
        .fetch_all(&self.pools.read)
        .await?)
    }

    /// The latest `limit` finished runs of the jobs named, oldest first.
    pub async fn finished_runs(&self, job_codes: [&str; 2], limit: u32) -> Result<Vec<JobRun>, HqDbError> {
        let sql = format!(
            "SELECT {RUN_COLUMNS}
             FROM (SELECT * FROM job_runs
                   WHERE job IN (?, ?) AND ended_at IS NOT NULL
                   ORDER BY run_id DESC LIMIT ?)
             ORDER BY run_id"
        );
        Ok(sqlx::query_as(&sql)
            .bind(job_codes[0])
            .bind(job_codes[1])
            .bind(limit)
            .fetch_all(&self.pools.read)
            .await?)
    }
}
