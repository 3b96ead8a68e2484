//! Runs each job on its recurrence: a tokio task that asks HQ which jobs
//! are due for this scale unit and runs them, recorded with the trigger
//! "Schedule".

use std::time::Duration;

use super::{JobError, JobRunner};

/// How often the scheduler looks for due jobs; recurrences are in minutes.
const TICK: Duration = Duration::from_secs(5);

pub const SCHEDULE: &str = "Schedule";

pub async fn run_schedules(jobs: JobRunner) {
    loop {
        tokio::time::sleep(TICK).await;
        scheduler_tick(&jobs).await;
    }
}

/// One look of the scheduler: closes the runs a stopped process left
/// "Running" (a server restarted before their leases lapsed, which its
/// start-up could not close, or a run whose end could not be written), then
/// runs the jobs due.
pub async fn scheduler_tick(jobs: &JobRunner) {
    match jobs.close_interrupted_runs().await {
        Ok(0) => {}
        Ok(closed) => tracing::warn!(closed, "closed job runs whose process stopped"),
        Err(error) => tracing::warn!(%error, "the scheduler could not close interrupted job runs"),
    }
    let due = match jobs.due_jobs().await {
        Ok(due) => due,
        Err(error) => {
            tracing::warn!(%error, "the scheduler could not read the job schedules");
            return;
        }
    };
    for job in due {
        match jobs.run(job, SCHEDULE).await {
            Ok(run) => tracing::info!(
                job = job.code(),
                run = run.run_id,
                outcome = run.outcome,
                "scheduled run"
            ),
            Err(JobError::AlreadyRunning(_)) => {}
            Err(error) => tracing::warn!(job = job.code(), %error, "scheduled run could not start"),
        }
    }
}
