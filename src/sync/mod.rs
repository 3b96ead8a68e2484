//! The batch job "Synchronize customers and channel requests": turns every
//! uploaded operation with `OnlineOperationCompleted = 0` into an HQ
//! customer, or records why it cannot.
//!
//! Each group of operations is completed in one HQ transaction: the customer,
//! its account number and the flag are committed together, so a run killed
//! half-way leaves every operation either done or untouched.

mod rules;

pub use rules::{SyncFailure, check_operation};

use std::collections::HashSet;

use crate::hq_db::{HqDb, HqDbError};
use crate::jobs::RunCounts;

#[derive(Debug, Clone, Copy)]
pub struct SyncOptions {
    pub batch_size: u32,
    pub max_retries: u32,
}

pub async fn synchronize_customers(hq: &HqDb, options: SyncOptions) -> Result<RunCounts, HqDbError> {
    let groups: HashSet<String> = hq.customer_group_ids().await?.into_iter().collect();
    let mut counts = RunCounts::default();
    let mut after_id = 0;
    loop {
        let batch = hq
            .pending_operations(after_id, options.batch_size, options.max_retries)
            .await?;
        let Some(last) = batch.last() else {
            return Ok(counts);
        };
        after_id = last.id;
        let mut tx = hq.begin_sync().await?;
        for op in &batch {
            match check_operation(op, &groups) {
                Ok(()) => {
                    let account = tx.next_customer_account().await?;
                    tx.create_customer(op, &account).await?;
                    tx.mark_synced(op.id, &account).await?;
                    counts.succeeded += 1;
                }
                Err(failure) => {
                    tx.mark_failed(op.id, &failure.to_string()).await?;
                    counts.failed += 1;
                }
            }
            counts.rows += 1;
        }
        tx.commit().await?;
    }
}
