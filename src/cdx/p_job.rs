//! The P-job: uploads staged asynchronous customer operations from the
//! channel database to HQ.
//!
//! Each batch is first stored in HQ (ignoring temporary ids HQ already has),
//! then marked uploaded in the channel while the next batch is stored. A
//! run killed between the two steps leaves rows that are uploaded again by
//! the next run and ignored by HQ: nothing lost, nothing twice.

use super::CdxError;
use crate::channel_db::ChannelDb;
use crate::hq_db::HqDb;
use crate::jobs::{Progress, RunCounts};

pub async fn run_p_job(
    channel: &ChannelDb,
    hq: &HqDb,
    progress: &Progress,
    batch_size: u32,
) -> Result<RunCounts, CdxError> {
    let total = channel.count_not_uploaded().await?;
    let mut uploaded = 0;
    let mut stored_in_hq: Vec<i64> = Vec::new();
    let mut batch = channel.not_uploaded_after(0, batch_size).await?;
    while let Some(last) = batch.last() {
        // While this batch is written to HQ, the next one is read from the
        // channel (it starts after this one, so nothing is read twice) and
        // the one before, which HQ holds, is marked uploaded.
        let (next, saved, marked) = tokio::join!(
            channel.not_uploaded_after(last.id, batch_size),
            hq.save_uploaded_operations(&batch, progress.run_id()),
            mark_uploaded(channel, &stored_in_hq),
        );
        saved?;
        marked?;
        stored_in_hq = batch.iter().map(|op| op.id).collect();
        uploaded += batch.len() as i64;
        progress
            .report(total.max(uploaded), RunCounts::moved(uploaded))
            .await;
        batch = next?;
    }
    mark_uploaded(channel, &stored_in_hq).await?;
    Ok(RunCounts::moved(uploaded))
}

async fn mark_uploaded(channel: &ChannelDb, ids: &[i64]) -> Result<(), CdxError> {
    if !ids.is_empty() {
        channel.mark_uploaded(ids).await?;
    }
    Ok(())
}

/// How many operations wait in the channel for the P-job.
pub async fn count_waiting_for_upload(channel: &ChannelDb) -> Result<i64, CdxError> {
    Ok(channel.count_not_uploaded().await?)
}
