//! The Customer synchronization status page reads both databases: the
//! operations still waiting in the channel for the P-job, and those HQ holds.

use super::CdxError;
use crate::domain::backlog::{BACKLOG_JOBS, BacklogSample, BacklogTrend, TREND_RUNS, TREND_SAMPLES};
use crate::domain::customer::{ReferenceData, display_name};
use crate::domain::jobs::Job;
use crate::domain::operation::{OperationStatus, stored_time_now};
use crate::domain::operation_detail::{OperationDetail, TimelineEntry, in_time_order};
use crate::domain::records::{ChannelRecord, OperationKind, StagedOperation};
use crate::domain::status_page::{PageKey, StatusCounts, StatusPage, StatusRow, StatusView, merge_page};
use crate::storage::channel_db::ChannelDb;
use crate::storage::hq_db::{HqDb, OperationHistory, UploadedOperationRow};

/// The rows of one page of the view, with the keys of the pages before and
/// after it.
pub struct StatusRows {
    pub rows: Vec<StatusRow>,
    pub previous: Option<PageKey>,
    pub next: Option<PageKey>,
}

/// One page of the view's rows, read from both databases, without counts:
/// what the CSV export reads page after page.
pub async fn status_rows(
    channel: &ChannelDb,
    hq: &HqDb,
    view: &StatusView,
    page_size: u32,
) -> Result<StatusRows, CdxError> {
    let in_hq = uploaded_not_marked(channel, hq).await?;
    rows_of(channel, hq, view, page_size, &in_hq).await
}

/// The page's rows, leaving out of the channel's those in `in_hq`.
async fn rows_of(
    channel: &ChannelDb,
    hq: &HqDb,
    view: &StatusView,
    page_size: u32,
    in_hq: &[String],
) -> Result<StatusRows, CdxError> {
    let channels = hq.channels().await?;
    let channel_name = |id: i64| name_of(&channels, id);
    let waiting = channel.pending_upload_page(view, page_size + 1, in_hq).await?;
    let uploaded = hq.status_page_rows(view, page_size + 1).await?;
    let mut rows = Vec::with_capacity(waiting.len() + uploaded.len());
    for op in waiting {
        let customer_name = match op.kind {
            OperationKind::AddAddress => name_in_channel(channel, &op).await?,
            OperationKind::Create | OperationKind::Update => None,
        };
        let mut row = waiting_row(op, &channel_name, channel.scale_unit());
        if let Some(name) = customer_name {
            row.name = name;
        }
        rows.push(row);
    }
    rows.extend(uploaded.into_iter().map(uploaded_row));
    let (rows, previous, next) = merge_page(view, rows, page_size as usize);
    Ok(StatusRows { rows, previous, next })
}

/// One page of the view, with the counts per status under its other filters.
pub async fn status_page(
    channel: &ChannelDb,
    hq: &HqDb,
    view: &StatusView,
    page_size: u32,
) -> Result<StatusPage, CdxError> {
    let in_hq = uploaded_not_marked(channel, hq).await?;
    let StatusRows { rows, previous, next } = rows_of(channel, hq, view, page_size, &in_hq).await?;
    let counts = counts_of(channel, hq, view, &in_hq).await?;
    Ok(StatusPage {
        rows,
        counts,
        previous,
        next,
    })
}

/// The operations of each status under the view's filters other than the
/// status.
async fn status_counts(channel: &ChannelDb, hq: &HqDb, view: &StatusView) -> Result<StatusCounts, CdxError> {
    let in_hq = uploaded_not_marked(channel, hq).await?;
    counts_of(channel, hq, view, &in_hq).await
}

/// The view's counts, leaving out of the channel's those in `in_hq`.
async fn counts_of(
    channel: &ChannelDb,
    hq: &HqDb,
    view: &StatusView,
    in_hq: &[String],
) -> Result<StatusCounts, CdxError> {
    let counts = StatusCounts {
        pending_upload: channel.count_pending_upload(view, in_hq).await?,
        ..StatusCounts::default()
    };
    Ok(counts.with_uploaded(hq.status_counts(view).await?))
}

/// The operations HQ holds that the channel has not marked uploaded yet:
/// the P-job stores a batch in HQ, then marks it in the channel (a moment
/// later, or in its next run when it was killed in between). It uploads in
/// the order operations were staged, so they are the oldest not marked,
/// read until one HQ does not hold: mostly a single look that finds none.
async fn uploaded_not_marked(channel: &ChannelDb, hq: &HqDb) -> Result<Vec<String>, CdxError> {
    const LOOK: u32 = 256;
    let mut in_hq = Vec::new();
    let mut after_id = 0;
    loop {
        let oldest = channel.not_uploaded_ids_after(after_id, LOOK).await?;
        let Some((last_id, _)) = oldest.last() else {
            return Ok(in_hq);
        };
        after_id = *last_id;
        let looked = oldest.len();
        let ids: Vec<String> = oldest.into_iter().map(|(_, id)| id).collect();
        let held = hq.uploaded_among(&ids).await?;
        let all_held = held.len() == looked;
        in_hq.extend(ids.into_iter().filter(|id| held.contains(id)));
        if !all_held || looked < LOOK as usize {
            return Ok(in_hq);
        }
    }
}

/// Records the backlog of every channel as run `run_id` finds it now.
pub async fn record_backlog(channel: &ChannelDb, hq: &HqDb, run_id: i64) -> Result<(), CdxError> {
    let counts = status_counts(channel, hq, &StatusView::default()).await?;
    hq.record_backlog(run_id, &counts).await?;
    Ok(())
}

/// The recorded backlog, the backlog now, and the latest runs of the jobs
/// that work it down.
pub async fn backlog_trend(channel: &ChannelDb, hq: &HqDb) -> Result<BacklogTrend, CdxError> {
    let [upload, sync] = BACKLOG_JOBS.map(Job::code);
    let now = status_counts(channel, hq, &StatusView::default()).await?;
    Ok(BacklogTrend {
        samples: hq.backlog_samples(TREND_SAMPLES).await?,
        runs: hq.finished_runs([upload, sync], TREND_RUNS).await?,
        now: BacklogSample::of(stored_time_now(), &now),
    })
}

/// A channel's name as pages show it.
fn name_of(channels: &[ChannelRecord], id: i64) -> String {
    channels
        .iter()
        .find(|record| record.channel_id == id)
        .map_or_else(|| format!("Channel {id}"), |record| record.name.clone())
}

/// The name of the customer an address addition waiting in the channel is
/// for (the operation carries the address alone): the channel's copy of
/// the customer, or its create still staged.
async fn name_in_channel(channel: &ChannelDb, op: &StagedOperation) -> Result<Option<String>, CdxError> {
    for key in [&op.customer_account, &op.customer_temporary_id]
        .into_iter()
        .flatten()
    {
        if let Some(copy) = channel.copied_customer(key).await? {
            return Ok(Some(display_name(&copy.customer)));
        }
    }
    let Some(temporary_id) = &op.customer_temporary_id else {
        return Ok(None);
    };
    Ok(channel
        .staged_create(temporary_id)
        .await?
        .map(|create| display_name(&create.customer)))
}

fn waiting_row(op: StagedOperation, channel_name: &impl Fn(i64) -> String, scale_unit: &str) -> StatusRow {
    StatusRow {
        scale_unit: Some(scale_unit.to_string()),
        operation: op.kind.caption().to_string(),
        channel: channel_name(op.channel_id),
        name: display_name(&op.customer),
        account: op.customer_account,
        temporary_id: op
            .customer_temporary_id
            .unwrap_or_else(|| op.temporary_id.clone()),
        operation_id: op.temporary_id,
        created_at: op.created_at,
        sequence: op.id,
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
        scale_unit: op.scale_unit,
        status: OperationStatus::of_uploaded(op.online_operation_completed, op.error.is_some()),
        temporary_id: op
            .customer_temporary_id
            .unwrap_or_else(|| op.temporary_id.clone()),
        operation_id: op.temporary_id,
        created_at: op.created_at,
        sequence: op.channel_sequence,
        account: op.account.or(op.customer_account),
        name: op.name,
        error: op.error.or_else(|| {
            op.waits_for.map(|failed| {
                format!(
                    "Waits for operation {failed}, which failed: correct that one, then synchronize both together, \
                     or let the next run of Synchronize customers and channel requests take this one."
                )
            })
        }),
        retries: op.retry_count,
        last_attempt: op.last_attempt_at,
    }
}

/// One operation with its timeline: from HQ once uploaded, otherwise from
/// the channel where it waits for the P-job. None when neither has it.
pub async fn operation_detail(
    channel: &ChannelDb,
    hq: &HqDb,
    temporary_id: &str,
) -> Result<Option<OperationDetail>, CdxError> {
    let groups = hq.customer_group_options().await?;
    if let Some(history) = hq.operation_history(temporary_id).await? {
        let Some(operation) = hq.uploaded_operation(temporary_id).await? else {
            return Ok(None);
        };
        let sent_back = match history
            .attempts
            .iter()
            .rev()
            .find(|attempt| attempt.outcome == "synced")
        {
            Some(synced) => {
                hq.customers_download_after(&synced.attempted_at, history.row.scale_unit.as_deref())
                    .await?
            }
            None => None,
        };
        let row = uploaded_row(history.row.clone());
        let timeline = uploaded_timeline(&operation, &row, &history, sent_back);
        // Counted before the operation was read: an edit saved between the
        // two reads makes a Save from this copy refused, never let through.
        let edits_seen = history.edits.len() as i64;
        return Ok(Some(detail(row, operation, timeline, (groups, edits_seen))));
    }
    let Some(operation) = channel.staged_operation(temporary_id).await? else {
        return Ok(None);
    };
    let channels = hq.channels().await?;
    let row = waiting_row(
        operation.clone(),
        &|id| name_of(&channels, id),
        channel.scale_unit(),
    );
    let timeline = vec![
        created_entry(&operation, &row.channel),
        TimelineEntry {
            at: operation.created_at.clone(),
            text: "Waiting in the channel for the P-job.".to_string(),
        },
    ];
    Ok(Some(detail(row, operation, timeline, (groups, 0))))
}

fn detail(
    row: StatusRow,
    operation: StagedOperation,
    timeline: Vec<TimelineEntry>,
    (groups, edits_seen): (Vec<(String, String)>, i64),
) -> OperationDetail {
    let editable = row.can_synchronize() && operation.kind != OperationKind::AddAddress;
    OperationDetail {
        edits_seen,
        reference: ReferenceData {
            customer_groups: groups,
            default_customer_group: operation.customer.customer_group.clone(),
        },
        timeline: in_time_order(timeline),
        row,
        operation,
        editable,
    }
}

fn created_entry(operation: &StagedOperation, channel: &str) -> TimelineEntry {
    let register = operation
        .register_number
        .map(|number| format!(", register {number}"))
        .unwrap_or_default();
    TimelineEntry {
        at: operation.created_at.clone(),
        text: format!("Created in {channel}{register}."),
    }
}

fn uploaded_timeline(
    operation: &StagedOperation,
    row: &StatusRow,
    history: &OperationHistory,
    sent_back: Option<(i64, String)>,
) -> Vec<TimelineEntry> {
    let mut timeline = vec![
        created_entry(operation, &row.channel),
        TimelineEntry {
            at: history.uploaded_at.clone(),
            text: match &row.scale_unit {
                Some(unit) => format!(
                    "Uploaded to HQ by P-job run {} of scale unit {unit}.",
                    history.upload_run_id
                ),
                None => format!("Uploaded to HQ by P-job run {}.", history.upload_run_id),
            },
        },
    ];
    timeline.extend(history.edits.iter().map(|edit| TimelineEntry {
        at: edit.edited_at.clone(),
        text: format!(
            "Edited by {}: {}",
            edit.edited_by,
            edit.changes.replace('\n', "; ")
        ),
    }));
    timeline.extend(history.attempts.iter().map(|attempt| TimelineEntry {
        at: attempt.attempted_at.clone(),
        text: match (&attempt.account, &attempt.error) {
            (Some(account), _) if attempt.outcome == "synced" => match &attempt.for_receipt {
                Some(receipt) => format!(
                    "Synced as account {account} by {} for receipt {receipt} ({}).",
                    job_of(&attempt.attempted_by),
                    attempt.attempted_by
                ),
                None => format!("Synced as account {account} ({}).", attempt.attempted_by),
            },
            (_, error) => format!(
                "Sync failed ({}{}): {}",
                attempt.attempted_by,
                attempt
                    .for_receipt
                    .as_ref()
                    .map(|receipt| format!(" for receipt {receipt}"))
                    .unwrap_or_default(),
                error.as_deref().unwrap_or("no reason recorded")
            ),
        },
    }));
    if let Some((run_id, at)) = sent_back {
        timeline.push(TimelineEntry {
            at,
            text: format!("Sent back to the channels by job 1010, run {run_id}."),
        });
    }
    timeline
}

/// "Synchronize orders" of "Synchronize orders run 12".
fn job_of(attempted_by: &str) -> &str {
    attempted_by.split(" run ").next().unwrap_or(attempted_by)
}
