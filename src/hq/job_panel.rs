//! One job on an HQ page: what it does, Run now, and its run history. The
//! distribution schedule and the batch jobs page show their jobs this way.

use leptos::prelude::*;

use crate::error::AppError;
use crate::jobs::{Job, JobRun};
use crate::ui::{ErrorNote, Time, loaded};

#[cfg(feature = "ssr")]
const HISTORY_LENGTH: u32 = 10;

#[server]
pub async fn job_runs(job: String) -> Result<Vec<JobRun>, AppError> {
    use crate::respond::{backend, internal, respond};
    let result = async {
        let job =
            Job::from_code(&job).ok_or_else(|| AppError::NotFound(format!("There is no job {job}.")))?;
        backend()?
            .hq
            .job_runs(job.code(), HISTORY_LENGTH)
            .await
            .map_err(internal)
    };
    respond(result.await)
}

#[server]
pub async fn run_job(job: String) -> Result<JobRun, AppError> {
    use crate::jobs::JobError;
    use crate::respond::{backend, internal, respond};
    let result = async {
        let job =
            Job::from_code(&job).ok_or_else(|| AppError::NotFound(format!("There is no job {job}.")))?;
        backend()?
            .jobs
            .run(job, "Run now")
            .await
            .map_err(|error| match error {
                JobError::AlreadyRunning(_) => AppError::Refused(error.to_string()),
                other => internal(other),
            })
    };
    respond(result.await)
}

#[component]
pub fn JobPanel(job: Job) -> impl IntoView {
    let action = ServerAction::<RunJob>::new();
    let result = action.value();
    let runs = Resource::new(
        move || action.version().get(),
        move |_| job_runs(job.code().to_string()),
    );
    let heading_id = format!("job-{}", job.code());
    let heading = heading_id.clone();

    view! {
        <section class="job" aria-labelledby=heading_id>
            <h2 id=heading>
                <span class="job-code">{job.code()}</span>
                " "
                {job.name()}
            </h2>
            <p>{job.description()}</p>
            <ActionForm action=action>
                <input type="hidden" name="job" value=job.code() />
                <button type="submit" disabled=move || action.pending().get()>
                    "Run now"
                </button>
            </ActionForm>
            <p class="run-result" role="status">
                {move || {
                    if action.pending().get() {
                        return Some("Running…".to_string().into_any());
                    }
                    match result.get()? {
                        Ok(run) => Some(run_summary(&run).into_any()),
                        Err(error) => Some(view! { <ErrorNote error /> }.into_any()),
                    }
                }}
            </p>
            <Transition fallback=|| view! { <p>"Loading run history…"</p> }>
                {move || Suspend::new(async move { loaded(runs.await, |runs| view! { <RunHistory runs /> }) })}
            </Transition>
        </section>
    }
}

fn run_summary(run: &JobRun) -> String {
    format!(
        "Run {} finished: {}, {} rows ({} succeeded, {} failed).",
        run.run_id, run.outcome, run.rows_total, run.succeeded, run.failed
    )
}

#[component]
fn RunHistory(runs: Vec<JobRun>) -> impl IntoView {
    if runs.is_empty() {
        return view! { <p>"This job has not run yet."</p> }.into_any();
    }
    view! {
        <table class="run-history">
            <caption>"Run history"</caption>
            <thead>
                <tr>
                    <th scope="col">"Run"</th>
                    <th scope="col">"Trigger"</th>
                    <th scope="col">"Started"</th>
                    <th scope="col">"Ended"</th>
                    <th scope="col">"Rows"</th>
                    <th scope="col">"Succeeded"</th>
                    <th scope="col">"Failed"</th>
                    <th scope="col">"Outcome"</th>
                    <th scope="col">"Message"</th>
                </tr>
            </thead>
            <tbody>
                {runs
                    .into_iter()
                    .map(|run| {
                        view! {
                            <tr>
                                <td>{run.run_id}</td>
                                <td>{run.trigger}</td>
                                <td><Time stored=run.started_at /></td>
                                <td>{run.ended_at.map(|ended| view! { <Time stored=ended /> })}</td>
                                <td>{run.rows_total}</td>
                                <td>{run.succeeded}</td>
                                <td>{run.failed}</td>
                                <td>{run.outcome}</td>
                                <td>{run.message}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
