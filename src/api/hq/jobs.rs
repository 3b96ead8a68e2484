//! The jobs' panels: their runs, Run now and their schedules.

use crate::domain::jobs::{JobHistory, JobRun};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
const HISTORY_LENGTH: u32 = 10;

/// The job a request names by its code (`1010`, `P-0001`, `SYNCCUST`...).
#[cfg(feature = "ssr")]
fn job_named(code: &str) -> Result<crate::domain::jobs::Job, AppError> {
    crate::error::check_key("A job code", code, 16)?;
    crate::domain::jobs::Job::from_code(code)
        .ok_or_else(|| AppError::NotFound(format!("There is no job {code}.")))
}

#[server(output = crate::wire::JsonText)]
pub async fn job_runs(job: String) -> Result<JobHistory, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        let job = job_named(&job)?;
        Ok(JobHistory {
            scale_unit: backend.channel.scale_unit().to_string(),
            runs: backend
                .hq
                .job_runs(job.code(), HISTORY_LENGTH)
                .await
                .map_err(internal)?,
        })
    };
    respond(result.await)
}

/// Starts a run and answers with its number at once; the page follows its
/// progress in the run history.
#[server(output = crate::wire::JsonText)]
pub async fn run_job(job: String) -> Result<i64, AppError> {
    use crate::api::respond::{authorize_user, respond};
    use crate::domain::access::Access;
    let result = async {
        let (backend, admin) = authorize_user(Access::Admin).await?;
        let job = job_named(&job)?;
        let (run_id, _finishing) = backend
            .jobs
            .start(job, &format!("Run now by {}", admin.display_name))
            .await
            .map_err(job_error)?;
        Ok(run_id)
    };
    respond(result.await)
}

/// Runs a job and answers once it has finished, for pages that act on its result.
#[server(output = crate::wire::JsonText)]
pub async fn run_job_now(job: String) -> Result<JobRun, AppError> {
    use crate::api::respond::{authorize_user, respond};
    use crate::domain::access::Access;
    let result = async {
        let (backend, admin) = authorize_user(Access::Admin).await?;
        let job = job_named(&job)?;
        backend
            .jobs
            .run(job, &format!("Run now by {}", admin.display_name))
            .await
            .map_err(job_error)
    };
    respond(result.await)
}

#[cfg(feature = "ssr")]
fn job_error(error: crate::services::jobs::JobError) -> AppError {
    match error {
        crate::services::jobs::JobError::AlreadyRunning(_) => AppError::Refused(error.to_string()),
        other => crate::error::internal(other),
    }
}

/// The longest recurrence accepted: one week.
#[cfg(feature = "ssr")]
const MAX_RECURRENCE_MINUTES: u32 = 7 * 24 * 60;

#[server(output = crate::wire::JsonText)]
pub async fn job_schedule(job: String) -> Result<u32, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        let job = job_named(&job)?;
        backend.hq.job_schedule(job.code()).await.map_err(internal)
    };
    respond(result.await)
}

#[server(output = crate::wire::JsonText)]
pub async fn set_job_schedule(job: String, minutes: String) -> Result<u32, AppError> {
    use crate::api::respond::{authorize, respond};
    use crate::domain::access::Access;
    use crate::error::FieldErrors;
    use crate::error::internal;
    let result = async {
        let backend = authorize(Access::Admin).await?;
        let job = job_named(&job)?;
        let minutes = match minutes.trim().parse::<u32>() {
            Ok(minutes) if minutes <= MAX_RECURRENCE_MINUTES => minutes,
            _ => {
                let mut errors = FieldErrors::default();
                errors.add(
                    "minutes",
                    format!(
                        "Enter a whole number of minutes from 0 (not scheduled) to {MAX_RECURRENCE_MINUTES}."
                    ),
                );
                return Err(AppError::Invalid(errors));
            }
        };
        backend
            .hq
            .set_job_schedule(job.code(), minutes)
            .await
            .map_err(internal)?;
        Ok(minutes)
    };
    respond(result.await)
}
