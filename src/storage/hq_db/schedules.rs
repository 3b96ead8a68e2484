//! Job recurrences, and which jobs are due.

use super::{HqDb, HqDbError};
use crate::domain::jobs::ScheduleState;

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

    /// Each scheduled job, with whether it started within its recurrence
    /// anywhere in the chain and in the scale unit `scale_unit`.
    pub async fn schedule_states(&self, scale_unit: &str) -> Result<Vec<ScheduleState>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_as(&format!(
            "SELECT s.job,
                    EXISTS (SELECT 1 FROM job_runs r
                            WHERE r.job = s.job AND r.started_at > {since}) AS ran_in_chain,
                    EXISTS (SELECT 1 FROM job_runs r
                            WHERE r.job = s.job AND r.scale_unit = $1 AND r.started_at > {since}) AS ran_here
             FROM job_schedules s
             WHERE s.interval_minutes > 0
             ORDER BY s.job",
            since = sql.minutes_ago("s.interval_minutes")
        ))
        .bind(scale_unit)
        .fetch_all(&pools.read)
        .await?))
    }

    /// When a job last started without failing, if ever: in the scale unit
    /// named, or anywhere.
    pub async fn last_run_started(
        &self,
        job: &str,
        scale_unit: Option<&str>,
    ) -> Result<Option<String>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(
            "SELECT MAX(started_at) FROM job_runs
             WHERE job = $1 AND outcome <> 'Failed' AND ($2 IS NULL OR scale_unit = $2)"
        )
        .bind(job)
        .bind(scale_unit)
        .fetch_one(&pools.read)
        .await?))
    }
}
