//! Job recurrences, and which jobs are due.

use super::{HqDb, HqDbError};

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

impl HqDb {
    /// Gives every job without a recurrence yet its default from the settings.
    pub async fn seed_job_schedules(&self, defaults: &[(&str, u32)]) -> Result<(), HqDbError> {
        let mut tx = self.pools.begin_write().await?;
        for (job, minutes) in defaults {
            sqlx::query(&format!(
                "INSERT OR IGNORE INTO job_schedules (job, interval_minutes, changed_at) VALUES (?, ?, {NOW})"
            ))
            .bind(job)
            .bind(minutes)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A job's recurrence in minutes; 0 when it is not scheduled.
    pub async fn job_schedule(&self, job: &str) -> Result<u32, HqDbError> {
        let minutes: Option<u32> =
            sqlx::query_scalar("SELECT interval_minutes FROM job_schedules WHERE job = ?")
                .bind(job)
                .fetch_optional(&self.pools.read)
                .await?;
        Ok(minutes.unwrap_or(0))
    }

    pub async fn set_job_schedule(&self, job: &str, minutes: u32) -> Result<(), HqDbError> {
        sqlx::query(&format!(
            "INSERT INTO job_schedules (job, interval_minutes, changed_at) VALUES (?, ?, {NOW})
             ON CONFLICT (job) DO UPDATE SET interval_minutes = excluded.interval_minutes,
                                             changed_at = excluded.changed_at"
        ))
        .bind(job)
        .bind(minutes)
        .execute(&self.pools.write)
        .await?;
        Ok(())
    }

    /// Scheduled jobs whose last run started longer ago than their recurrence.
    pub async fn due_jobs(&self) -> Result<Vec<String>, HqDbError> {
        Ok(sqlx::query_scalar(
            "SELECT s.job FROM job_schedules s
             WHERE s.interval_minutes > 0
               AND NOT EXISTS (
                   SELECT 1 FROM job_runs r
                   WHERE r.job = s.job
                     AND r.started_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || s.interval_minutes || ' minutes'))
             ORDER BY s.job",
        )
        .fetch_all(&self.pools.read)
        .await?)
    }

    /// When a job last started, if ever.
    pub async fn last_run_started(&self, job: &str) -> Result<Option<String>, HqDbError> {
        Ok(
            sqlx::query_scalar("SELECT MAX(started_at) FROM job_runs WHERE job = ? AND outcome != 'Failed'")
                .bind(job)
                .fetch_one(&self.pools.read)
                .await?,
        )
    }
}
