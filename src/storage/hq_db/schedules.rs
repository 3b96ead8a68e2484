//! Job recurrences, and which jobs are due.

use super::{HqDb, HqDbError};

impl HqDb {
    /// Gives every job without a recurrence yet its default from the settings.
    pub async fn seed_job_schedules(&self, defaults: &[(&str, u32)]) -> Result<(), HqDbError> {
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_write().await?;
            for (job, minutes) in defaults {
                sqlx::query(&format!(
                    "INSERT INTO job_schedules (job, interval_minutes, changed_at) VALUES ($1, $2, {now})
                     ON CONFLICT (job) DO NOTHING",
                    now = sql.now()
                ))
                .bind(job)
                .bind(i64::from(*minutes))
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// A job's recurrence in minutes; 0 when it is not scheduled.
    pub async fn job_schedule(&self, job: &str) -> Result<u32, HqDbError> {
        let minutes: Option<i64> = on_engine!(self, |pools, sql| sqlx::query_scalar(
            "SELECT interval_minutes FROM job_schedules WHERE job = $1"
        )
        .bind(job)
        .fetch_optional(&pools.read)
        .await?);
        Ok(minutes
            .and_then(|minutes| u32::try_from(minutes).ok())
            .unwrap_or(0))
    }

    pub async fn set_job_schedule(&self, job: &str, minutes: u32) -> Result<(), HqDbError> {
        on_engine!(self, |pools, sql| {
            sqlx::query(&format!(
                "INSERT INTO job_schedules (job, interval_minutes, changed_at) VALUES ($1, $2, {now})
             ON CONFLICT (job) DO UPDATE SET interval_minutes = excluded.interval_minutes,
                                             changed_at = excluded.changed_at",
                now = sql.now()
            ))
            .bind(job)
            .bind(i64::from(minutes))
            .execute(&pools.write)
            .await?;
        });
        Ok(())
    }

    /// Scheduled jobs whose last run started longer ago than their recurrence.
    pub async fn due_jobs(&self) -> Result<Vec<String>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(&format!(
            "SELECT s.job FROM job_schedules s
             WHERE s.interval_minutes > 0
               AND NOT EXISTS (
                   SELECT 1 FROM job_runs r
                   WHERE r.job = s.job AND r.started_at > {since})
             ORDER BY s.job",
            since = sql.minutes_ago("s.interval_minutes")
        ))
        .fetch_all(&pools.read)
        .await?))
    }

    /// When a job last started, if ever.
    pub async fn last_run_started(&self, job: &str) -> Result<Option<String>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(
            "SELECT MAX(started_at) FROM job_runs WHERE job = $1 AND outcome <> 'Failed'"
        )
        .bind(job)
        .fetch_one(&pools.read)
        .await?))
    }
}
