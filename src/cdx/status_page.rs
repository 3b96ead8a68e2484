//! The Customer synchronization status page reads both databases: the
//! operations still waiting in the channel for the P-job, and those HQ holds.

use super::CdxError;
use crate::channel_db::ChannelDb;
use crate::hq::sync_status::view::{
    ChannelOption, StatusCounts, StatusPage, StatusRow, StatusView, merge_page,
};
use crate::hq_db::{HqDb, UploadedOperationRow};
use crate::operation::OperationStatus;
use crate::records::{OperationKind, StagedOperation};

/// One page of the view, with the counts per status under its other filters.
pub async fn status_page(
    channel: &ChannelDb,
    hq: &HqDb,
    view: &StatusView,
    page_size: u32,
) -> Result<StatusPage, CdxError> {
    let channels: Vec<ChannelOption> = hq
        .channels()
        .await?
        .into_iter()
        .map(|record| ChannelOption {
            channel_id: record.channel_id,
            name: record.name,
        })
        .collect();
    let channel_name = |id: i64| {
        channels
            .iter()
            .find(|option| option.channel_id == id)
            .map_or_else(|| format!("Channel {id}"), |option| option.name.clone())
    };
    let waiting = channel.pending_upload_page(view, page_size + 1).await?;
    let uploaded = hq.status_page_rows(view, page_size + 1).await?;
    let rows = waiting
        .into_iter()
        .map(|op| waiting_row(op, &channel_name))
        .chain(uploaded.into_iter().map(uploaded_row))
        .collect();
    let (rows, previous, next) = merge_page(view, rows, page_size as usize);
    let mut counts = StatusCounts {
        pending_upload: channel.count_pending_upload(view).await?,
        ..StatusCounts::default()
    };
    for (status, count) in hq.status_counts(view).await? {
        match status {
            OperationStatus::PendingSync => counts.pending_sync = count,
            OperationStatus::Synced => counts.synced = count,
            OperationStatus::Failed => counts.failed = count,
            OperationStatus::PendingUpload => {}
        }
    }
    Ok(StatusPage {
        rows,
        counts,
        previous,
        next,
        channels,
    })
}

/// The failed operations of the view, oldest first: what "Synchronize all
/// failed" processes.
pub async fn failed_operation_ids(hq: &HqDb, view: &StatusView) -> Result<Vec<String>, CdxError> {
    Ok(hq.failed_operation_ids(view).await?)
}

fn waiting_row(op: StagedOperation, channel_name: &impl Fn(i64) -> String) -> StatusRow {
    StatusRow {
        operation: op.kind.caption().to_string(),
        channel: channel_name(op.channel_id),
        name: crate::customer::display_name(&op.customer),
        account: op.customer_account,
        temporary_id: op
            .customer_temporary_id
            .unwrap_or_else(|| op.temporary_id.clone()),
        operation_id: op.temporary_id,
        created_at: op.created_at,
        status: OperationStatus::PendingUpload,
        error: None,
        retries: 0,
        last_attempt: None,
    }
}

fn uploaded_row(op: UploadedOperationRow) -> StatusRow {
    StatusRow {
        operation: OperationKind::from_code(&op.operation)
            .map_or_else(|| op.operation.clone(), |kind| kind.caption().to_string()),
        channel: op.channel.unwrap_or_else(|| "Unknown channel".to_string()),
        status: OperationStatus::of_uploaded(op.online_operation_completed, op.error.is_some()),
        temporary_id: op
            .customer_temporary_id
            .unwrap_or_else(|| op.temporary_id.clone()),
        operation_id: op.temporary_id,
        created_at: op.created_at,
        account: op.account.or(op.customer_account),
        name: op.name,
        error: op.error,
        retries: op.retry_count,
        last_attempt: op.last_attempt_at,
    }
}
