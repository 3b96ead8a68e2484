//! One uploaded operation as the status page's detail shows it: its row,
//! its timeline (upload, sync attempts, edits, the 1010 run that sent its
//! customer back) and the admin's edit of its staged rows.

use sqlx::{FromRow, Row};

use super::async_operations::StagedChildren;
use super::async_operations::{OPERATION_ROW_COLUMNS, OPERATIONS_WITH_CHANNEL};
use super::search_keys::{SEARCH_KEY_COLUMNS, search_keys};
use super::{HqDb, HqDbError, UploadedOperationRow};
use crate::domain::customer::{ChangedFields, CustomerDraft, ValidCustomer};
use crate::storage::staging_tables::{CUSTOMER_COLUMNS, bind_customer};

/// What an admin's Save of an operation came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditSaved {
    Saved,
    /// Synced already (or unknown): nothing changed.
    Completed,
    /// Another edit was saved since the admin's copy was read: nothing
    /// changed.
    ChangedMeanwhile,
}

/// An operation's completed flag and its number of edits.
const EDIT_STATE: &str = "SELECT o.OnlineOperationCompleted,
        (SELECT COUNT(*) FROM operation_edits e WHERE e.operation_id = o.id)
 FROM RETAILASYNCCUSTOMERV2 o WHERE o.temporary_id = $1";

/// Whether a correction made on a copy with `edits_seen` edits may be saved
/// over the operation `found` (`EDIT_STATE`).
fn edit_state(found: Option<(bool, i64)>, edits_seen: i64) -> EditSaved {
    match found {
        None | Some((true, _)) => EditSaved::Completed,
        Some((false, edits)) if edits != edits_seen => EditSaved::ChangedMeanwhile,
        Some(_) => EditSaved::Saved,
    }
}

/// What HQ recorded of one operation after it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationHistory {
    pub row: UploadedOperationRow,
    pub uploaded_at: String,
    pub upload_run_id: i64,
    pub attempts: Vec<SyncAttempt>,
    pub edits: Vec<OperationEdit>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SyncAttempt {
    pub attempted_at: String,
    pub attempted_by: String,
    pub outcome: String,
    pub account: Option<String>,
    pub error: Option<String>,
    /// The receipt of the sale whose job synced it along, if any.
    pub for_receipt: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OperationEdit {
    pub edited_at: String,
    pub edited_by: String,
    pub changes: String,
}

#[derive(FromRow)]
struct HistoryRow {
    #[sqlx(flatten)]
    row: UploadedOperationRow,
    uploaded_at: String,
    upload_run_id: i64,
}

impl HqDb {
    pub async fn operation_history(&self, temporary_id: &str) -> Result<Option<OperationHistory>, HqDbError> {
        on_engine!(self, |pools, sql| {
            let found: Option<HistoryRow> = sqlx::query_as(&format!(
                "SELECT {OPERATION_ROW_COLUMNS}, o.uploaded_at, o.upload_run_id FROM {OPERATIONS_WITH_CHANNEL}
                 WHERE o.temporary_id = $1"
            ))
            .bind(temporary_id)
            .fetch_optional(&pools.read)
            .await?;
            let Some(found) = found else {
                return Ok(None);
            };
            let attempts = sqlx::query_as(
                "SELECT attempted_at, attempted_by, outcome, account, error, for_receipt FROM sync_attempts
                 WHERE operation_id = $1 ORDER BY attempt_id",
            )
            .bind(found.row.id)
            .fetch_all(&pools.read)
            .await?;
            let edits = sqlx::query_as(
                "SELECT edited_at, edited_by, changes FROM operation_edits WHERE operation_id = $1 ORDER BY edit_id",
            )
            .bind(found.row.id)
            .fetch_all(&pools.read)
            .await?;
            Ok(Some(OperationHistory {
                row: found.row,
                uploaded_at: found.uploaded_at,
                upload_run_id: found.upload_run_id,
                attempts,
                edits,
            }))
        })
    }

    /// The first successful run of job 1010 in `scale_unit` (any, for an
    /// operation whose unit is not known) that started at or after `at`:
    /// the one that sent a customer changed at `at` back to that unit's
    /// channels.
    pub async fn customers_download_after(
        &self,
        at: &str,
        scale_unit: Option<&str>,
    ) -> Result<Option<(i64, String)>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_as(
            "SELECT run_id, started_at FROM job_runs
             WHERE job = '1010' AND outcome = 'Succeeded' AND started_at >= $1
               AND ($2 = '' OR scale_unit = $2)
             ORDER BY run_id LIMIT 1",
        )
        .bind(at)
        .bind(scale_unit.unwrap_or_default())
        .fetch_optional(&pools.read)
        .await?))
    }

    /// Whether a correction of the operation made on a copy that had
    /// `edits_seen` edits could be saved now (`EditSaved::Saved`), or why
    /// not: what Save would answer, read before its checks of the fields.
    /// Save reads it again in its write.
    pub async fn correction_state(
        &self,
        temporary_id: &str,
        edits_seen: i64,
    ) -> Result<EditSaved, HqDbError> {
        let found = on_engine!(self, |pools, sql| sqlx::query_as(EDIT_STATE)
            .bind(temporary_id)
            .fetch_optional(&pools.read)
            .await?);
        Ok(edit_state(found, edits_seen))
    }

    /// Replaces the staged rows of an operation that is not completed with
    /// an admin's corrected customer, and records who changed what; only
    /// when it has had `edits_seen` edits, as the admin's copy had: a
    /// correction saved meanwhile (by another admin, in another tab) is not
    /// overwritten from an older copy.
    pub async fn save_operation_edit(
        &self,
        temporary_id: &str,
        edits_seen: i64,
        customer: &ValidCustomer,
        changed: ChangedFields,
        (edited_by, changes): (&str, &str),
    ) -> Result<EditSaved, HqDbError> {
        let customer: &CustomerDraft = customer.get();
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_write().await?;
            // In the write transaction, which HQ's writes take one at a time.
            let found = sqlx::query_as(EDIT_STATE)
                .bind(temporary_id)
                .fetch_optional(&mut *tx)
                .await?;
            let state = edit_state(found, edits_seen);
            if state != EditSaved::Saved {
                return Ok(state);
            }
            let statement = format!(
                "UPDATE RETAILASYNCCUSTOMERV2
                 SET ({CUSTOMER_COLUMNS}, changed_fields, {SEARCH_KEY_COLUMNS})
                   = ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                 WHERE temporary_id = $17 AND OnlineOperationCompleted = FALSE
                 RETURNING id"
            );
            let updated = search_keys(customer)
                .into_iter()
                .fold(
                    bind_customer(sqlx::query(&statement), customer).bind(changed.code()),
                    |statement, key| statement.bind(key),
                )
                .bind(temporary_id)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(updated) = updated else {
                return Ok(EditSaved::Completed);
            };
            let id: i64 = updated.try_get(0)?;
            for table in [
                "RETAILASYNCADDRESSV2",
                "RETAILASYNCCUSTOMERCONTACT",
                "RETAILASYNCCUSTOMERAFFILIATION",
                "RETAILASYNCCUSTOMERATTRIBUTEV2",
            ] {
                sqlx::query(&format!("DELETE FROM {table} WHERE temporary_id = $1"))
                    .bind(temporary_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.insert_staged_children(&[(temporary_id, customer)]).await?;
            sqlx::query(&format!(
                "INSERT INTO operation_edits (operation_id, edited_at, edited_by, changes) VALUES ($1, {now}, $2, $3)",
                now = sql.now()
            ))
            .bind(id)
            .bind(edited_by)
            .bind(changes)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(EditSaved::Saved)
        })
    }
}
