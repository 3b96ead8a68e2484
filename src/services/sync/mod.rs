//! The batch job "Synchronize customers and channel requests": turns every
//! uploaded operation with `OnlineOperationCompleted = 0` into a change of
//! an HQ customer, or records why it cannot.
//!
//! Each group of operations is completed in one HQ transaction: the customer
//! rows, the account number and the flag are committed together, so a run
//! killed half-way leaves every operation either done or untouched.
//! Operations are applied in upload order, which is the order each channel
//! made them; an update or address addition whose customer's create has not
//! synced yet, or that an earlier change of the same customer has not
//! passed yet, waits for it, unless HQ refused that one for good.

mod orders;
mod rules;

pub use orders::{post_statements, synchronize_orders};
pub use rules::{
    CreateDecision, SettledCreates, SyncFailure, check_operation, decide_creates, made_in_realtime,
    settle_creates,
};

use std::collections::{HashMap, HashSet};

use crate::domain::customer::{ChangedFields, CustomerDraft, CustomerField, email_key};
use crate::domain::jobs::RunCounts;
use crate::domain::records::{OperationKind, StagedOperation};
use crate::domain::status_page::StatusView;
use crate::services::jobs::{Progress, read_ahead};
use crate::storage::hq_db::{HqDb, HqDbError, SyncTransaction};

#[derive(Debug, Clone, Copy)]
pub struct SyncOptions {
    pub batch_size: u32,
    pub max_retries: u32,
    /// Refuse a customer whose email another HQ customer has.
    pub unique_emails: bool,
}

/// What became of one operation in a run.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Synced(String),
    Failed(SyncFailure),
    /// Its customer's create, or an earlier change of its customer, has not
    /// synced yet; it stays pending (open again if it was refused for good).
    Waiting,
}

pub async fn synchronize_customers(
    hq: &HqDb,
    options: SyncOptions,
    progress: &Progress,
) -> Result<RunCounts, HqDbError> {
    let groups: HashSet<String> = hq.customer_group_ids().await?.into_iter().collect();
    let total = hq.count_pending_operations(options.max_retries).await?;
    let mut counts = RunCounts::default();
    let attempted_by = format!("Batch run {}", progress.run_id());
    let mut batch = read_batch(hq, 0, options).await?;
    while let Some(last) = batch.operations.last() {
        // The next batch is read while this one is written: operations after
        // `last` are not changed by this batch, and those another process
        // completes or an admin corrects meanwhile are skipped by `sync_batch`.
        let reader = hq.clone();
        let after = last.id;
        let (next, written) = tokio::join!(
            read_ahead(async move { read_batch(&reader, after, options).await }),
            sync_batch(hq, &batch, &groups, options, &attempted_by, &mut counts),
        );
        written?;
        progress.report(total.max(counts.rows), counts).await;
        batch = next?;
    }
    Ok(counts)
}

/// A copy of operations to synchronize, and the newest admin correction
/// when it was read: a correction after it outdates the copy.
#[derive(Debug, Clone)]
pub struct ReadBatch {
    operations: Vec<StagedOperation>,
    edits_seen: i64,
}

impl ReadBatch {
    pub fn operations(&self) -> &[StagedOperation] {
        &self.operations
    }
}

/// The next batch of pending operations after operation `after_id`, as a
/// run reads it ahead of writing it.
pub async fn read_batch(hq: &HqDb, after_id: i64, options: SyncOptions) -> Result<ReadBatch, HqDbError> {
    // Read before the operations, so that a correction made while they are
    // read counts as made after the copy: skipped once, never applied stale.
    let edits_seen = hq.last_operation_edit().await?;
    let operations = hq
        .pending_operations(after_id, options.batch_size, options.max_retries)
        .await?;
    Ok(ReadBatch {
        operations,
        edits_seen,
    })
}

/// Applies a batch a run has read, as the run does: what HQ holds when the
/// transaction commits is what is applied or judged.
pub async fn synchronize_batch(
    hq: &HqDb,
    batch: &ReadBatch,
    options: SyncOptions,
    attempted_by: &str,
) -> Result<RunCounts, HqDbError> {
    let groups: HashSet<String> = hq.customer_group_ids().await?.into_iter().collect();
    let mut counts = RunCounts::default();
    sync_batch(hq, batch, &groups, options, attempted_by, &mut counts).await?;
    Ok(counts)
}

/// "Synchronize" on the Customer synchronization status page: processes
/// the chosen operations at once, in the order they were made, whatever
/// their retries (an admin acting is what a failed operation waits for).
/// Operations already completed are left alone.
pub async fn synchronize_selected(
    hq: &HqDb,
    temporary_ids: &[String],
    options: SyncOptions,
    attempted_by: &str,
) -> Result<RunCounts, HqDbError> {
    let groups: HashSet<String> = hq.customer_group_ids().await?.into_iter().collect();
    let edits_seen = hq.last_operation_edit().await?;
    let operations = hq.open_operations_among(temporary_ids).await?;
    let mut counts = RunCounts::default();
    for chunk in operations.chunks(options.batch_size.max(1) as usize) {
        let batch = ReadBatch {
            operations: chunk.to_vec(),
            edits_seen,
        };
        sync_batch(hq, &batch, &groups, options, attempted_by, &mut counts).await?;
    }
    Ok(counts)
}

/// "Synchronize all failed" on the status page: the failed operations of
/// `view`, read and processed a batch at a time, oldest first, so that
/// memory stays bounded however many failed; each once. Returns how many it
/// found, and what came of them.
pub async fn synchronize_failed(
    hq: &HqDb,
    view: &StatusView,
    options: SyncOptions,
    attempted_by: &str,
) -> Result<(usize, RunCounts), HqDbError> {
    let mut after_id = 0;
    let mut found = 0;
    let mut counts = RunCounts::default();
    loop {
        let failed = hq
            .failed_operation_ids(view, after_id, options.batch_size.max(1))
            .await?;
        let Some((last_id, _)) = failed.last() else {
            return Ok((found, counts));
        };
        after_id = *last_id;
        found += failed.len();
        let ids: Vec<String> = failed.into_iter().map(|(_, id)| id).collect();
        let done = synchronize_selected(hq, &ids, options, attempted_by).await?;
        counts.rows += done.rows;
        counts.succeeded += done.succeeded;
        counts.failed += done.failed;
    }
}

/// Completes one batch of operations in one HQ transaction.
async fn sync_batch(
    hq: &HqDb,
    batch: &ReadBatch,
    groups: &HashSet<String>,
    options: SyncOptions,
    attempted_by: &str,
    counts: &mut RunCounts,
) -> Result<(), HqDbError> {
    if batch.operations.is_empty() {
        return Ok(());
    }
    let mut tx = hq.begin_sync().await?;
    sync_in(&mut tx, batch, groups, options, attempted_by, counts).await?;
    tx.commit().await
}

/// Completes a batch of operations inside `tx`, with the rest of what the
/// transaction does (a sale synced with its customer).
async fn sync_in(
    tx: &mut SyncTransaction,
    batch: &ReadBatch,
    groups: &HashSet<String>,
    options: SyncOptions,
    attempted_by: &str,
    counts: &mut RunCounts,
) -> Result<(), HqDbError> {
    let (Some(first), Some(last)) = (batch.operations.first(), batch.operations.last()) else {
        return Ok(());
    };
    let open = tx.open_operations(first.id, last.id, batch.edits_seen).await?;
    let mut creates = Vec::new();
    for op in &batch.operations {
        if !open.contains(&op.id) {
            continue;
        }
        counts.rows += 1;
        if op.kind == OperationKind::Create {
            creates.push(op);
            continue;
        }
        // A change may depend on the creates before it, so they go first.
        apply_creates(
            tx,
            &std::mem::take(&mut creates),
            groups,
            options,
            attempted_by,
            counts,
        )
        .await?;
        match apply_change(tx, op, groups, options).await? {
            Outcome::Synced(account) => {
                tx.mark_synced(op.id, &account, attempted_by).await?;
                tx.note_settled(Some(&account), op).await?;
                counts.succeeded += 1;
            }
            Outcome::Failed(failure) if failure.is_final() => {
                tx.mark_failed_for_good(op.id, &failure.to_string(), attempted_by)
                    .await?;
                let account = failure.refused_for().or(op.customer_account.as_deref());
                tx.note_settled(account, op).await?;
                counts.failed += 1;
            }
            Outcome::Failed(failure) => {
                if tx.mark_failed(op.id, &failure.to_string(), attempted_by).await? {
                    tx.note_reopened(op).await?;
                }
                counts.failed += 1;
            }
            Outcome::Waiting => {
                if tx.reopen(op.id).await? {
                    tx.note_reopened(op).await?;
                }
            }
        }
    }
    apply_creates(tx, &creates, groups, options, attempted_by, counts).await
}

/// Applies a run of consecutive creates with a few set-based statements:
/// the rules are decided in memory, the accounts reserved as one range, and
/// the customers copied from the uploaded rows HQ already holds. Then the
/// changes of these customers HQ refused for good before are settled.
async fn apply_creates(
    tx: &mut SyncTransaction,
    creates: &[&StagedOperation],
    groups: &HashSet<String>,
    options: SyncOptions,
    attempted_by: &str,
    counts: &mut RunCounts,
) -> Result<(), HqDbError> {
    let left = settle_made_in_realtime(tx, creates, attempted_by, counts).await?;
    create_customers_not_made_in_realtime(tx, &left, groups, options, attempted_by, counts).await?;
    let temporary_ids: Vec<String> = creates.iter().map(|op| op.temporary_id.clone()).collect();
    tx.note_settled_before_created(&temporary_ids).await
}

/// Creates the customers of a run of creates HQ did not make in real time.
async fn create_customers_not_made_in_realtime(
    tx: &mut SyncTransaction,
    creates: &[&StagedOperation],
    groups: &HashSet<String>,
    options: SyncOptions,
    attempted_by: &str,
    counts: &mut RunCounts,
) -> Result<(), HqDbError> {
    if creates.is_empty() {
        return Ok(());
    }
    let holders = if options.unique_emails {
        tx.accounts_with_emails(&emails_of(creates)).await?
    } else {
        HashMap::new()
    };
    let decisions = decide_creates(creates, groups, &holders, options.unique_emails);
    let created_count = decisions
        .iter()
        .filter(|decision| **decision == CreateDecision::Create)
        .count();
    let accounts = tx.reserve_customer_accounts(created_count).await?;
    let SettledCreates { created, failed } = settle_creates(creates, decisions, &accounts);
    tx.create_customers_from_operations(&created, attempted_by)
        .await?;
    tx.mark_failed_many(&failed, attempted_by).await?;
    counts.succeeded += created.len() as i64;
    counts.failed += failed.len() as i64;
    Ok(())
}

/// Completes the creates HQ already carried out in real time under the same
/// operation id: a register whose real-time create lost its answer sends it
/// again, and finding HQ unreachable then, the store stages it. Each is
/// synced to the customer made then, not created a second time. Returns
/// the creates left to apply.
async fn settle_made_in_realtime<'a>(
    tx: &mut SyncTransaction,
    creates: &[&'a StagedOperation],
    attempted_by: &str,
    counts: &mut RunCounts,
) -> Result<Vec<&'a StagedOperation>, HqDbError> {
    let ids: Vec<String> = creates.iter().map(|op| op.temporary_id.clone()).collect();
    let made = tx.realtime_creates_among(&ids).await?;
    let mut left = Vec::with_capacity(creates.len());
    let mut synced = Vec::new();
    for op in creates {
        match made.get(&op.temporary_id) {
            Some(account) => {
                tx.adopt_temporary_id(account, &op.temporary_id).await?;
                synced.push((op.id, account.clone()));
            }
            None => left.push(*op),
        }
    }
    if !synced.is_empty() {
        tx.mark_synced_many(&synced, attempted_by).await?;
        counts.succeeded += synced.len() as i64;
    }
    Ok(left)
}

/// The creates' emails, as `decide_creates` looks them up.
fn emails_of(creates: &[&StagedOperation]) -> Vec<String> {
    creates
        .iter()
        .filter_map(|op| email_key(&op.customer.email))
        .collect()
}

/// Applies one update or address addition; creates go through
/// `apply_creates`.
async fn apply_change(
    tx: &mut SyncTransaction,
    op: &StagedOperation,
    groups: &HashSet<String>,
    options: SyncOptions,
) -> Result<Outcome, HqDbError> {
    if let Some(made) = tx.realtime_operation(&op.temporary_id).await? {
        return Ok(match made_in_realtime(op, &made) {
            Ok(account) => Outcome::Synced(account),
            Err(failure) => Outcome::Failed(failure),
        });
    }
    if let Err(failure) = check_operation(op, groups) {
        return Ok(Outcome::Failed(failure));
    }
    if options.unique_emails
        && op.kind != OperationKind::AddAddress
        && op.changed_fields.contains(CustomerField::Email)
        && let Some(failure) = email_taken(tx, op).await?
    {
        return Ok(Outcome::Failed(failure));
    }
    let account = match target_account(tx, op).await? {
        Ok(account) => account,
        Err(outcome) => return Ok(outcome),
    };
    if tx.earlier_change_pending(op.id, &account).await? {
        return Ok(Outcome::Waiting);
    }
    if op.kind == OperationKind::Update
        && let Some(edited_at) =
            latest_of_its_fields(tx.edited_in_realtime_since(&account, &op.created_at).await?, op)
    {
        return Ok(Outcome::Failed(SyncFailure::ChangedInRealtime {
            account,
            edited_at,
            made_at: op.created_at.clone(),
        }));
    }
    if op.kind == OperationKind::Update
        && let Some(updated_at) = latest_of_its_fields(tx.updated_since(&account, &op.created_at).await?, op)
    {
        return Ok(Outcome::Failed(SyncFailure::UpdatedLater {
            account,
            updated_at,
            made_at: op.created_at.clone(),
        }));
    }
    match op.kind {
        OperationKind::Update => {
            tx.update_customer(&account, &op.customer, op.changed_fields)
                .await?;
        }
        _ => {
            for address in &op.customer.addresses {
                tx.add_address(&account, address).await?;
            }
        }
    }
    Ok(Outcome::Synced(account))
}

/// When the latest of `newer` changes (made after `op`, in real time or
/// synced already) was made, if one changed a field `op` changes: `op` is
/// older, and is not applied over it. One that changed other fields only
/// stays beside it.
fn latest_of_its_fields(newer: Vec<(String, ChangedFields)>, op: &StagedOperation) -> Option<String> {
    newer
        .into_iter()
        .filter(|(_, changed)| changed.overlaps(op.changed_fields))
        .map(|(made_at, _)| made_at)
        .max()
}

/// A failure when another customer than the one `op` changes already has
/// its email.
async fn email_taken(
    tx: &mut SyncTransaction,
    op: &StagedOperation,
) -> Result<Option<SyncFailure>, HqDbError> {
    let Some(key) = email_key(&op.customer.email) else {
        return Ok(None);
    };
    let own = target_account(tx, op).await?.ok();
    let holder = tx.account_with_email(&key, own.as_deref()).await?;
    Ok(holder.map(|account| SyncFailure::EmailTaken {
        email: op.customer.email.trim().to_string(),
        account,
    }))
}

/// The batch's email rule for an admin's correction of `op` to
/// `corrected` (the fields `changed`, as Save stores them), read now: the
/// account of the customer that already has the email, so that Save says
/// so beside the field rather than Synchronize failing again. As in the
/// batch: a create HQ made in real time is synced to that customer without
/// the rule, and an update's own customer does not count. A create pending
/// in HQ with the same email is left to the batch, which orders them.
pub async fn email_holder_for_correction(
    hq: &HqDb,
    op: &StagedOperation,
    corrected: &CustomerDraft,
    changed: ChangedFields,
    unique_emails: bool,
) -> Result<Option<String>, HqDbError> {
    let checked = match op.kind {
        OperationKind::Create => true,
        OperationKind::Update => changed.contains(CustomerField::Email),
        OperationKind::AddAddress => false,
    };
    let Some(key) = email_key(&corrected.email).filter(|_| unique_emails && checked) else {
        return Ok(None);
    };
    let own = match (op.kind, &op.customer_account, &op.customer_temporary_id) {
        (OperationKind::Create, _, _) => {
            if hq.account_made_by(&op.temporary_id).await?.is_some() {
                return Ok(None);
            }
            None
        }
        (_, Some(account), _) => Some(account.clone()),
        (_, None, Some(temporary_id)) => hq.account_of_temporary_id(temporary_id).await?,
        (_, None, None) => None,
    };
    hq.account_with_email(&key, own.as_deref()).await
}

/// The account an update or address addition changes, or why it cannot be
/// applied now.
async fn target_account(
    tx: &mut SyncTransaction,
    op: &StagedOperation,
) -> Result<Result<String, Outcome>, HqDbError> {
    if let Some(account) = &op.customer_account {
        return Ok(if tx.customer_exists(account).await? {
            Ok(account.clone())
        } else {
            Err(Outcome::Failed(SyncFailure::UnknownCustomer(account.clone())))
        });
    }
    let Some(temporary_id) = &op.customer_temporary_id else {
        return Ok(Err(Outcome::Failed(SyncFailure::NoCustomer)));
    };
    if let Some(account) = tx.account_of_temporary_id(temporary_id).await? {
        return Ok(Ok(account));
    }
    Ok(if tx.create_is_pending(temporary_id).await? {
        Err(Outcome::Waiting)
    } else {
        Err(Outcome::Failed(SyncFailure::UnknownTemporaryId(
            temporary_id.clone(),
        )))
    })
}
