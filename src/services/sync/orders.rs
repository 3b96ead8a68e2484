//! The batch jobs "Synchronize orders" and "Post statements": they turn
//! uploaded sales into HQ sales orders and cash-and-carry transactions,
//! and post the day's transactions per store.
//!
//! A sale may name a customer that is still an asynchronous operation (a
//! cashier sells to a customer just created). Each batch of sales is
//! settled in one HQ transaction that first syncs the customer operations
//! the sales need, by the same rules as "Synchronize customers and channel
//! requests", then creates the sales on their accounts. Whichever job syncs
//! a customer first, the other finds its account: a sale is never attached
//! to a second copy of its customer. A sale whose customer fails waits,
//! with the reason, and goes with a later run once the customer has synced.

use std::collections::{HashMap, HashSet};

use super::{ReadBatch, SyncOptions, sync_in};
use crate::domain::jobs::RunCounts;
use crate::domain::sales::SaleKind;
use crate::services::jobs::Progress;
use crate::storage::hq_db::{HqDb, HqDbError, OpenSale};

/// Synchronize orders: settles every open sale.
pub async fn synchronize_orders(
    hq: &HqDb,
    options: SyncOptions,
    progress: &Progress,
) -> Result<RunCounts, HqDbError> {
    let attempted_by = format!("Synchronize orders run {}", progress.run_id());
    settle_open_sales(hq, options, progress, None, &attempted_by).await
}

/// Post statements (end of day): syncs every pending customer the
/// cash-and-carry transactions reference and creates the transactions,
/// then posts them in one statement per store. A transaction whose
/// customer failed to sync is not posted: it counts as failed, and waits
/// with the reason (the Troubleshoot page names it).
pub async fn post_statements(
    hq: &HqDb,
    options: SyncOptions,
    progress: &Progress,
) -> Result<RunCounts, HqDbError> {
    let attempted_by = format!("Post statements run {}", progress.run_id());
    let settled =
        settle_open_sales(hq, options, progress, Some(SaleKind::CashAndCarry), &attempted_by).await?;
    let posted = hq.post_statements(progress.run_id()).await?;
    let counts = RunCounts {
        rows: posted + settled.failed,
        succeeded: posted,
        failed: settled.failed,
    };
    progress.report(counts.rows, counts).await;
    Ok(counts)
}

async fn settle_open_sales(
    hq: &HqDb,
    options: SyncOptions,
    progress: &Progress,
    kind: Option<SaleKind>,
    attempted_by: &str,
) -> Result<RunCounts, HqDbError> {
    let groups: HashSet<String> = hq.customer_group_ids().await?.into_iter().collect();
    let total = hq.count_open_sales(kind).await?;
    let mut counts = RunCounts::default();
    let mut after = 0;
    loop {
        let sales = hq.open_sales(after, options.batch_size, kind).await?;
        let (Some(first), Some(last)) = (sales.first(), sales.last()) else {
            return Ok(counts);
        };
        settle_batch(
            hq,
            (first, last),
            kind,
            &groups,
            options,
            attempted_by,
            &mut counts,
        )
        .await?;
        after = last.id;
        progress.report(total.max(counts.rows), counts).await;
    }
}

/// Syncs the customer operations the sales from `first` to `last` need,
/// then settles the sales, in one HQ transaction.
async fn settle_batch(
    hq: &HqDb,
    (first, last): (&OpenSale, &OpenSale),
    kind: Option<SaleKind>,
    groups: &HashSet<String>,
    options: SyncOptions,
    attempted_by: &str,
    counts: &mut RunCounts,
) -> Result<(), HqDbError> {
    // Read before the operations, as `read_batch` does: a correction made
    // while they are read outdates the copy, which is then left alone.
    let edits_seen = hq.last_operation_edit().await?;
    let needed = hq
        .operations_needed_by_sales(first.id, last.id, kind, options.max_retries)
        .await?;
    let temporary_ids: Vec<String> = needed
        .iter()
        .map(|(temporary_id, _)| temporary_id.clone())
        .collect();
    let operations = hq.open_operations_among(&temporary_ids).await?;
    let batch = ReadBatch {
        operations,
        edits_seen,
    };
    let mut tx = hq.begin_sync().await?;
    // The customers synced along are not this job's rows: their counts stay
    // out of the run's, and their timelines record the sync.
    let mut customers = RunCounts::default();
    sync_in(&mut tx, &batch, groups, options, attempted_by, &mut customers).await?;
    let receipt_of: HashMap<&str, &str> = needed
        .iter()
        .map(|(temporary_id, receipt)| (temporary_id.as_str(), receipt.as_str()))
        .collect();
    let receipts: Vec<(i64, String)> = batch
        .operations
        .iter()
        .filter_map(|op| {
            let receipt = receipt_of.get(op.temporary_id.as_str())?;
            Some((op.id, receipt.to_string()))
        })
        .collect();
    tx.note_receipts(attempted_by, &receipts).await?;
    let settled = tx.settle_sales(first.id, last.id, kind, attempted_by).await?;
    tx.commit().await?;
    counts.rows += settled.created + settled.waiting;
    counts.succeeded += settled.created;
    counts.failed += settled.waiting;
    Ok(())
}
