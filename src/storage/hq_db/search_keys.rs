//! The folded copies of the names and emails the status page searches
//! (migrations/hq/0026_search_keys.sql): each operation's, written with it,
//! and those of the operations an earlier HQ stored, folded once when HQ
//! opens.

use super::{HqDb, HqDbError};
use crate::domain::customer::{CustomerDraft, fold_case};

/// The keys' columns, in the order of `search_keys`.
pub const SEARCH_KEY_COLUMNS: &str = "email_key, first_name_key, last_name_key, organization_key";

/// The customer's search keys, in the order of `SEARCH_KEY_COLUMNS`.
pub fn search_keys(customer: &CustomerDraft) -> [String; 4] {
    [
        &customer.email,
        &customer.first_name,
        &customer.last_name,
        &customer.organization_name,
    ]
    .map(|text| fold_case(text))
}

/// Operations folded a write transaction, so that a large HQ's first start
/// does not hold its writer for long at a time.
const REFOLD_BATCH: i64 = 1_000;

/// An operation listed for folding: its id, then its email, first name,
/// last name and organization (none when it is no longer there).
type ListedOperation = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl HqDb {
    /// Folds the search keys of the operations the migration listed
    /// (those with letters outside A to Z, which its `lower()` left as they
    /// were), a batch a transaction, until the list is empty. How many it
    /// folded.
    pub(super) async fn refold_search_keys(&self) -> Result<u64, HqDbError> {
        let listed: i64 = on_engine!(self, |pools, sql| sqlx::query_scalar(
            "SELECT COUNT(*) FROM search_keys_to_refold"
        )
        .fetch_one(&pools.read)
        .await?);
        if listed > 0 {
            tracing::info!(
                "folding the search keys of {listed} operations an earlier HQ stored; HQ opens once done"
            );
        }
        let mut refolded = 0;
        loop {
            let folded = self.refold_search_keys_batch().await?;
            if folded == 0 {
                return Ok(refolded);
            }
            refolded += folded;
        }
    }

    async fn refold_search_keys_batch(&self) -> Result<u64, HqDbError> {
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_write().await?;
            let listed: Vec<ListedOperation> = sqlx::query_as(
                "SELECT r.operation_id, o.email, o.first_name, o.last_name, o.organization_name
                 FROM search_keys_to_refold r LEFT JOIN RETAILASYNCCUSTOMERV2 o ON o.id = r.operation_id
                 ORDER BY r.operation_id LIMIT $1",
            )
            .bind(REFOLD_BATCH)
            .fetch_all(&mut *tx)
            .await?;
            let Some(&(last, ..)) = listed.last() else {
                return Ok(0);
            };
            for (id, email, first_name, last_name, organization_name) in &listed {
                let (Some(email), Some(first_name), Some(last_name), Some(organization_name)) =
                    (email, first_name, last_name, organization_name)
                else {
                    continue;
                };
                let customer = CustomerDraft {
                    email: email.clone(),
                    first_name: first_name.clone(),
                    last_name: last_name.clone(),
                    organization_name: organization_name.clone(),
                    ..CustomerDraft::default()
                };
                let [email_key, first_name_key, last_name_key, organization_key] = search_keys(&customer);
                sqlx::query(
                    "UPDATE RETAILASYNCCUSTOMERV2
                     SET email_key = $1, first_name_key = $2, last_name_key = $3, organization_key = $4
                     WHERE id = $5",
                )
                .bind(email_key)
                .bind(first_name_key)
                .bind(last_name_key)
                .bind(organization_key)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query("DELETE FROM search_keys_to_refold WHERE operation_id <= $1")
                .bind(last)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(listed.len() as u64)
        })
    }
}
