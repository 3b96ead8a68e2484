//! The P-job: uploads staged asynchronous customer operations from the
//! channel database to HQ.
//!
//! Each batch is first stored in HQ (ignoring temporary ids HQ already has),
//! then marked uploaded in the channel. A run killed between the two steps
//! leaves rows that are uploaded again by the next run and ignored by HQ:
//! nothing lost, nothing twice.

use super::CdxError;
use crate::channel_db::ChannelDb;
use crate::hq_db::HqDb;
use crate::jobs::{Progress, RunCounts};
use crate::records::StagedOperation;

pub async fn run_p_job(
    channel: &ChannelDb,
    hq: &HqDb,
    progress: &Progress,
    batch_size: u32,
) -> Result<RunCounts, CdxError> {
    let total = channel.count_not_uploaded().await?;
    let mut uploaded = 0;
    loop {
        let batch = channel.not_uploaded(batch_size).await?;
        if batch.is_empty() {
            return Ok(RunCounts::moved(uploaded));
        }
        hq.save_uploaded_operations(&batch, progress.run_id()).await?;
        let ids: Vec<i64> = batch.iter().map(|op| op.id).collect();
        channel.mark_uploaded(&ids).await?;
        uploaded += batch.len() as i64;
        progress
            .report(total.max(uploaded), RunCounts::moved(uploaded))
            .await;
    }
}

/// The newest operations still waiting in the channel for the P-job.
pub async fn operations_waiting_for_upload(
    channel: &ChannelDb,
    limit: u32,
) -> Result<Vec<StagedOperation>, CdxError> {
    Ok(channel.recent_not_uploaded(limit).await?)
}

/// How many operations wait in the channel for the P-job.
pub async fn count_waiting_for_upload(channel: &ChannelDb) -> Result<i64, CdxError> {
    Ok(channel.count_not_uploaded().await?)
}
