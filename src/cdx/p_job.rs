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
    let mut batch = channel.not_uploaded_after(0, batch_size).await?;
    while let Some(last) = batch.last() {
        // The next batch is read from the channel while this one is written
        // to HQ: it starts after this one, so nothing is read twice.
        let (next, written) = tokio::join!(
            channel.not_uploaded_after(last.id, batch_size),
            upload_batch(channel, hq, &batch, progress.run_id()),
        );
        written?;
        uploaded += batch.len() as i64;
        progress
            .report(total.max(uploaded), RunCounts::moved(uploaded))
            .await;
        batch = next?;
    }
    Ok(RunCounts::moved(uploaded))
}

/// Stores a batch in HQ, then marks it uploaded in the channel.
async fn upload_batch(
    channel: &ChannelDb,
    hq: &HqDb,
    batch: &[StagedOperation],
    run_id: i64,
) -> Result<(), CdxError> {
    hq.save_uploaded_operations(batch, run_id).await?;
    let ids: Vec<i64> = batch.iter().map(|op| op.id).collect();
    channel.mark_uploaded(&ids).await?;
    Ok(())
}

/// How many operations wait in the channel for the P-job.
pub async fn count_waiting_for_upload(channel: &ChannelDb) -> Result<i64, CdxError> {
    Ok(channel.count_not_uploaded().await?)
}
