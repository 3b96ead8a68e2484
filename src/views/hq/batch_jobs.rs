//! HQ Batch jobs: "Synchronize customers and channel requests",
//! "Synchronize orders" and "Post statements".

use leptos::prelude::*;
use leptos_meta::Title;

use super::job_panel::JobPanel;
use crate::domain::jobs::Job;

#[component]
pub fn BatchJobsPage() -> impl IntoView {
    view! {
        <Title text="Batch jobs - custsync" />
        <h1>"Batch jobs"</h1>
        {Job::BATCH_JOBS.map(|job| view! { <JobPanel job /> })}
    }
}
