//! One job on an HQ page: what it does, Run now, and its run history. The
//! distribution schedule and the batch jobs page show their jobs this way.

use leptos::prelude::*;

use crate::api::hq::jobs::{RunJob, SetJobSchedule, job_runs, job_schedule};
use crate::domain::jobs::{Job, JobRun, seconds_text};
use crate::views::ui::{ErrorNote, LastAnswer, ServerForm, Time};

#[component]
pub fn JobPanel(job: Job) -> impl IntoView {
    let action = ServerAction::<RunJob>::new();
    let result = action.value();
    // Bumped while a run is under way, so the history follows its progress.
    let poll = RwSignal::new(0_u32);
    let runs = Resource::new(
        move || (action.version().get(), poll.get()),
        move |_| job_runs(job.code().to_string()),
    );
    let last_runs = LastAnswer::default();
    // A read that failed while a run was under way is tried again: the
    // history shown still has it running.
    Effect::new(move |_| {
        let running = runs
            .get()
            .and_then(|read| read.ok().or_else(|| last_runs.of(&())))
            .is_some_and(|history| history.runs.iter().any(JobRun::is_running));
        if running {
            set_timeout(
                move || {
                    // The panel may have gone while waiting.
                    let _ = poll.try_update(|n| *n += 1);
                },
                std::time::Duration::from_millis(700),
            );
        }
    });
    let save_schedule = ServerAction::<SetJobSchedule>::new();
    let schedule = Resource::new(
        move || save_schedule.version().get(),
        move |_| job_schedule(job.code().to_string()),
    );
    let minutes_input = NodeRef::<leptos::html::Input>::new();
    let minutes_id = format!("schedule-{}", job.code());
    let message_id = format!("schedule-{}-message", job.code());
    let schedule_message_id = message_id.clone();
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
            <ServerForm action=action args=move || RunJob { job: job.code().to_string() } one_at_a_time=true>
                <input type="hidden" name="job" value=job.code() />
                <button type="submit" aria-disabled=move || action.pending().get().then_some("true")>
                    "Run now"
                </button>
            </ServerForm>
            <p class="run-result" role="status">
                // The run's summary reads the history, a resource: under a
                // transition, which keeps the last summary while it is read again.
                <Transition fallback=|| ()>
                    {move || {
                        if action.pending().get() {
                            return Some("Starting…".to_string().into_any());
                        }
                        match result.get()? {
                            Ok(run_id) => {
                                let history = runs.get().and_then(Result::ok)?;
                                let run = history.runs.into_iter().find(|run| run.run_id == run_id)?;
                                Some(run.summary().into_any())
                            }
                            Err(error) => Some(view! { <ErrorNote error /> }.into_any()),
                        }
                    }}
                </Transition>
            </p>
            <ServerForm
                action=save_schedule
                args=move || SetJobSchedule {
                    job: job.code().to_string(),
                    minutes: minutes_input.get().map(|input| input.value()).unwrap_or_default(),
                }
                class="register-picker"
            >
                <input type="hidden" name="job" value=job.code() />
                <label for=minutes_id.clone()>"Recurrence (minutes, 0 = not scheduled)"</label>
                <Transition fallback=|| ()>
                    {
                        let minutes_id = minutes_id.clone();
                        let message_id = message_id.clone();
                        move || {
                            let minutes_id = minutes_id.clone();
                            let message_id = message_id.clone();
                            Suspend::new(async move {
                                let current = schedule.await.unwrap_or(0);
                                view! {
                                    <input node_ref=minutes_input id=minutes_id name="minutes" type="number" min="0" value=current.to_string()
                                        aria-describedby=message_id />
                                }
                            })
                        }
                    }
                </Transition>
                <button type="submit">"Save schedule"</button>
                <span class="field-message" id=schedule_message_id>
                    {move || save_schedule.value().get().and_then(Result::err).map(|error| error.field("minutes").unwrap_or_else(|| error.to_string()))}
                </span>
            </ServerForm>
            <p class="schedule">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match schedule.await {
                            Ok(0) => "Not scheduled: runs only on Run now.".to_string(),
                            Ok(minutes) => format!("Runs every {minutes} minutes."),
                            Err(error) => error.to_string(),
                        }
                    })}
                </Transition>
            </p>
            <Transition fallback=|| view! { <p>"Loading run history…"</p> }>
                {move || Suspend::new(async move {
                    let answer = runs.await;
                    // Run now's refusal says why the read after it failed.
                    let said_by_run_now = answer.is_err() && action.value().get_untracked().is_some_and(|run| run.is_err());
                    last_runs.show((), answer, said_by_run_now, |history| view! {
                        <p class="scale-unit-note">{where_it_runs(job, &history.scale_unit)}</p>
                        <RunHistory runs=history.runs />
                    })
                })}
            </Transition>
        </section>
    }
}

/// Which runs Run now starts and the history lists.
fn where_it_runs(job: Job, scale_unit: &str) -> String {
    if job.per_scale_unit() {
        format!(
            "Each scale unit runs this job for its own channel database: Run now runs it for this scale unit, \
             {scale_unit}. The history lists every scale unit's runs."
        )
    } else {
        format!(
            "One run at a time for the whole chain, whichever scale unit starts it (this one is {scale_unit})."
        )
    }
}

#[component]
fn RunHistory(runs: Vec<JobRun>) -> impl IntoView {
    if runs.is_empty() {
        return view! { <p>"This job has not run yet."</p> }.into_any();
    }
    let longest = runs.iter().filter_map(JobRun::duration_ms).max().unwrap_or(0);
    view! {
        <table class="run-history">
            <caption>"Run history"</caption>
            <thead>
                <tr>
                    <th scope="col">"Run"</th>
                    <th scope="col">"Scale unit"</th>
                    <th scope="col">"Trigger"</th>
                    <th scope="col">"Started"</th>
                    <th scope="col">"Ended"</th>
                    <th scope="col">"Duration"</th>
                    <th scope="col">"Rows done"</th>
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
                        let duration_ms = run.duration_ms();
                        view! {
                            <tr>
                                <td>{run.run_id}</td>
                                <td>{run.scale_unit}</td>
                                <td>{run.trigger}</td>
                                <td><Time stored=run.started_at /></td>
                                <td>{run.ended_at.map(|ended| view! { <Time stored=ended /> })}</td>
                                <td><DurationBar duration_ms longest /></td>
                                <td>{run.rows_done}</td>
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

/// A run's duration as text, with a bar as long as it is next to the
/// longest run listed.
#[component]
fn DurationBar(duration_ms: Option<i64>, longest: i64) -> impl IntoView {
    let Some(duration_ms) = duration_ms else {
        return view! { "running" }.into_any();
    };
    let percent = (duration_ms * 100)
        .checked_div(longest)
        .unwrap_or(0)
        .clamp(1, 100);
    view! {
        <span class="duration">
            <svg class="duration-bar" viewBox="0 0 100 8" aria-hidden="true" preserveAspectRatio="none">
                <rect class="track" width="100" height="8" />
                <rect class="bar" width=percent height="8" />
            </svg>
            {format!("{} s", seconds_text(duration_ms))}
        </span>
    }
    .into_any()
}
