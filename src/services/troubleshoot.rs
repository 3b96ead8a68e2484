//! Gathers the live evidence the Troubleshoot page answers from: feature
//! states in HQ, the channel copy and its cache; the last run of each job;
//! what waits for the P-job and the sync.

use crate::domain::diagnosis::ModeEvidence;
use crate::domain::features::{Feature, FeatureStates};
use crate::domain::jobs::Job;
use crate::domain::status_page::{StatusCounts, StatusView};
use crate::domain::troubleshoot::{JobStatus, TroubleshootReport};
use crate::services::backend::Backend;
use crate::services::cdx;

#[derive(Debug, thiserror::Error)]
#[error("the troubleshooting evidence could not be read: {0}")]
pub struct EvidenceError(String);

fn evidence_error(error: impl std::fmt::Display) -> EvidenceError {
    EvidenceError(error.to_string())
}

pub async fn report(backend: &Backend) -> Result<TroubleshootReport, EvidenceError> {
    let hq = &backend.hq;
    let cached = backend.config.get().await.map_err(evidence_error)?;
    let features = hq.feature_rows().await.map_err(evidence_error)?;
    let states = FeatureStates(
        features
            .iter()
            .filter_map(|row| Feature::from_name(&row.name).map(|f| (f, row.enabled)))
            .collect(),
    );
    let mut evidence: Vec<ModeEvidence> = Vec::new();
    let served_here = |channel: &crate::domain::records::ChannelRecord| {
        channel.scale_unit.as_deref() == Some(backend.channel.scale_unit())
    };
    for channel in hq
        .channels()
        .await
        .map_err(evidence_error)?
        .iter()
        .filter(|c| served_here(c))
    {
        evidence.push(
            backend
                .realtime
                .async_mode_evidence(channel.channel_id, &cached)
                .await
                .map_err(evidence_error)?,
        );
    }
    for feature in [Feature::AsyncEditing, Feature::AsyncAddresses] {
        evidence.push(
            backend
                .realtime
                .feature_evidence(feature, &cached)
                .await
                .map_err(evidence_error)?,
        );
    }
    let mut jobs = Vec::new();
    let scale_unit = backend.channel.scale_unit();
    for job in Job::ALL {
        // The channel's customers wait for this unit's own downloads and
        // P-job, and for the chain's batch job.
        let ran_in = job.per_scale_unit().then_some(scale_unit);
        jobs.push(JobStatus {
            code: job.code().to_string(),
            name: job.name().to_string(),
            last_started: hq
                .last_run_started(job.code(), ran_in)
                .await
                .map_err(evidence_error)?,
            schedule_minutes: hq.job_schedule(job.code()).await.map_err(evidence_error)?,
        });
    }
    // As the status page counts them, whose lists the report links to.
    let uploaded = StatusCounts::default().with_uploaded(
        hq.status_counts(&StatusView::default())
            .await
            .map_err(evidence_error)?,
    );
    const WAITING_SALES_LISTED: u32 = 20;
    Ok(TroubleshootReport {
        editing_enabled: states.is_enabled(Feature::AsyncEditing),
        editing_missing: states
            .missing_prerequisites(Feature::AsyncEditing)
            .iter()
            .map(|f| f.name().to_string())
            .collect(),
        evidence,
        fallback_waiting: hq.fallback_creates_waiting().await.map_err(evidence_error)?,
        pending_upload: cdx::count_waiting_for_upload(&backend.channel)
            .await
            .map_err(evidence_error)?,
        pending_sync: uploaded.pending_sync,
        failed: uploaded.failed,
        customers_not_downloaded: cdx::customers_not_downloaded(hq, &backend.channel)
            .await
            .map_err(evidence_error)?,
        sales_pending_upload: backend
            .channel
            .count_sales_not_uploaded()
            .await
            .map_err(evidence_error)?,
        sales_open: hq.count_open_sales(None).await.map_err(evidence_error)?,
        sales_waiting: hq
            .sales_waiting_for_customer(WAITING_SALES_LISTED)
            .await
            .map_err(evidence_error)?,
        jobs,
        cache_age_seconds: cached.age.as_secs(),
        cache_ttl_seconds: cached.ttl.as_secs(),
    })
}
