//! HQ Distribution schedule: the CDX jobs between HQ and the channels.

use leptos::prelude::*;
use leptos_meta::Title;

use super::job_panel::JobPanel;
use crate::domain::jobs::Job;

#[component]
pub fn DistributionSchedulePage() -> impl IntoView {
    view! {
        <Title text="Distribution schedule - custsync" />
        <h1>"Distribution schedule"</h1>
        <p>"Commerce Data Exchange jobs: downloads from HQ to the channel databases, and the P-job that uploads from them."</p>
        {Job::DISTRIBUTION_SCHEDULE.into_iter().map(|job| view! { <JobPanel job /> }).collect_view()}
    }
}
