//! The P-job: uploads staged asynchronous customer operations, then the
//! sales made at the registers before the run began, from the channel
//! database to HQ.
//!
//! Each batch is first stored in HQ (ignoring temporary ids HQ already has),
//! then marked uploaded in the channel while the next batch is stored. A
//! run killed between the two steps leaves rows that are uploaded again by
//! the next run and ignored by HQ: nothing lost, nothing twice.

use super::CdxError;
use crate::domain::jobs::RunCounts;
use crate::services::jobs::{Progress, read_ahead};
use crate::storage::channel_db::ChannelDb;
use crate::storage::hq_db::{HqDb, PreparedUpload};

pub async fn run_p_job(
    channel: &ChannelDb,
    hq: &HqDb,
    progress: &Progress,
    batch_size: u32,
) -> Result<RunCounts, CdxError> {
    // The sales this run takes: those made before it began, whose
    // customers' operations were all staged before it, and so are uploaded
    // first. A later sale may follow an address staged after the
    // operations were read: it goes with the next run.
    let last_sale = channel.last_sale_id().await?;
    let total = channel.count_not_uploaded().await?;
    let mut uploaded = 0;
    let mut stored_in_hq: Vec<i64> = Vec::new();
    let run_id = progress.run_id();
    let mut upload = read_upload(channel.clone(), 0, batch_size, run_id).await?;
    while let Some(last) = upload.last_id() {
        // While this batch is written to HQ, the next one is read from the
        // channel and its statements built (it starts after this one, so
        // nothing is read twice), and the one before, which HQ holds, is
        // marked uploaded.
        let ids = upload.ids();
        let (next, saved, marked) = tokio::join!(
            read_ahead(read_upload(channel.clone(), last, batch_size, run_id)),
            hq.save_uploaded_operations(upload),
            mark_uploaded(channel, &stored_in_hq),
        );
        // What HQ held already (a run killed before the channel marked it)
        // is not counted as moved.
        uploaded += saved? as i64;
        marked?;
        stored_in_hq = ids;
        progress
            .report(total.max(uploaded), RunCounts::moved(uploaded))
            .await;
        upload = next?;
    }
    mark_uploaded(channel, &stored_in_hq).await?;
    // After the customers, so that a sale's customer reaches HQ in the same
    // run as the sale, or before it.
    uploaded += upload_sales(channel, hq, progress, batch_size, last_sale, uploaded).await?;
    Ok(RunCounts::moved(uploaded))
}

/// Uploads the sales not uploaded yet up to the sale `last_sale`, a batch
/// at a time: stored in HQ (a sale HQ has already is ignored), then marked
/// uploaded in the channel.
async fn upload_sales(
    channel: &ChannelDb,
    hq: &HqDb,
    progress: &Progress,
    batch_size: u32,
    last_sale: i64,
    operations: i64,
) -> Result<i64, CdxError> {
    let total = operations + channel.count_sales_not_uploaded().await?;
    let mut uploaded = 0;
    let mut after = 0;
    loop {
        let mut sales = channel.sales_not_uploaded_after(after, batch_size).await?;
        sales.retain(|sale| sale.id <= last_sale);
        let Some(last) = sales.last() else {
            return Ok(uploaded);
        };
        after = last.id;
        uploaded += hq.save_uploaded_sales(&sales, progress.run_id()).await? as i64;
        let ids: Vec<i64> = sales.iter().map(|sale| sale.id).collect();
        channel.mark_sales_uploaded(&ids).await?;
        let moved = operations + uploaded;
        progress.report(total.max(moved), RunCounts::moved(moved)).await;
    }
}

/// The next batch after `after_id` to upload, ready for HQ.
async fn read_upload(
    channel: ChannelDb,
    after_id: i64,
    batch_size: u32,
    run_id: i64,
) -> Result<PreparedUpload, CdxError> {
    let operations = channel.not_uploaded_after(after_id, batch_size).await?;
    Ok(PreparedUpload::new(operations, run_id))
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
