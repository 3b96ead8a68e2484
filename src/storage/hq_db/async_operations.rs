//! The uploaded copies of the channels' asynchronous customer operations.

use std::collections::HashSet;

use sqlx::{FromRow, QueryBuilder, Sqlite, SqliteConnection};

use super::{HqDb, HqDbError};
use crate::domain::customer::CustomerDraft;
use crate::domain::records::StagedOperation;
use crate::storage::staging_tables::{
    CUSTOMER_COLUMNS, OPERATION_COLUMNS, children_inserts, multi_row_inserts, operations_document,
    push_customer, read_operations,
};

/// The columns of an `UploadedOperationRow`, read from
/// `OPERATIONS_WITH_CHANNEL`.
pub(super) const OPERATION_ROW_COLUMNS: &str =
    "o.id, o.temporary_id, o.operation, c.name AS channel, o.created_at, o.channel_sequence,
    CASE WHEN o.party_type = 'organization' THEN o.organization_name
         ELSE o.first_name || ' ' || o.last_name END AS name,
    o.customer_account, o.customer_temporary_id,
    o.OnlineOperationCompleted AS online_operation_completed, o.account,
    o.error, o.retry_count, o.last_attempt_at";

/// The uploaded operations (`o`) with their channel (`c`).
pub(super) const OPERATIONS_WITH_CHANNEL: &str =
    "RETAILASYNCCUSTOMERV2 o LEFT JOIN channels c ON c.channel_id = o.channel_id";

/// An uploaded operation as the Customer synchronization status page lists it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct UploadedOperationRow {
    pub id: i64,
    pub temporary_id: String,
    pub operation: String,
    pub channel: Option<String>,
    pub created_at: String,
    pub channel_sequence: i64,
    pub name: String,
    pub customer_account: Option<String>,
    pub customer_temporary_id: Option<String>,
    pub online_operation_completed: bool,
    pub account: Option<String>,
    pub error: Option<String>,
    pub retry_count: i64,
    pub last_attempt_at: Option<String>,
}

impl HqDb {
    /// Stores uploaded operations with all their rows in one transaction;
    /// one already uploaded (same temporary id) is left as it is, so a
    /// P-job that runs again duplicates nothing. Returns how many were new.
    pub async fn save_uploaded_operations(&self, upload: PreparedUpload) -> Result<u64, HqDbError> {
        let mut tx = self.pools.begin_write().await?;
        let uploaded_before = already_uploaded(&mut tx, &upload.operations).await?;
        let (inserts, new_count) = if uploaded_before.is_empty() {
            (upload.inserts, upload.operations.len())
        } else {
            let new: Vec<&StagedOperation> = upload
                .operations
                .iter()
                .filter(|op| !uploaded_before.contains(&op.temporary_id))
                .collect();
            (upload_inserts(&new, upload.run_id), new.len())
        };
        for mut insert in inserts {
            insert.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(new_count as u64)
    }

    /// Operations not completed yet and still under the retry limit, after
    /// `after_id`, oldest first, with all their rows.
    pub async fn pending_operations(
        &self,
        after_id: i64,
        limit: u32,
        max_retries: u32,
    ) -> Result<Vec<StagedOperation>, HqDbError> {
        let sql = operations_document(
            "SELECT * FROM RETAILASYNCCUSTOMERV2
             WHERE OnlineOperationCompleted = 0 AND id > ? AND retry_count < ?
             ORDER BY id LIMIT ?",
        );
        Ok(read_operations(&self.pools.read, &sql, |query| {
            query.bind(after_id).bind(max_retries).bind(limit)
        })
        .await?)
    }

    /// The uploaded operations among `temporary_ids` that are not completed,
    /// oldest first, with all their rows, whatever their retries.
    pub async fn open_operations_among(
        &self,
        temporary_ids: &[String],
    ) -> Result<Vec<StagedOperation>, HqDbError> {
        let ids = serde_json::to_string(temporary_ids).map_err(|error| sqlx::Error::Encode(error.into()))?;
        let sql = operations_document(
            "SELECT * FROM RETAILASYNCCUSTOMERV2
             WHERE temporary_id IN (SELECT value FROM json_each(?)) AND OnlineOperationCompleted = 0
             ORDER BY id",
        );
        Ok(read_operations(&self.pools.read, &sql, |query| query.bind(ids)).await?)
    }

    /// The newest admin correction of any operation, by its number: a copy
    /// of operations read after it is outdated by any correction above it.
    pub async fn last_operation_edit(&self) -> Result<i64, HqDbError> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(edit_id), 0) FROM operation_edits")
                .fetch_one(&self.pools.read)
                .await?,
        )
    }

    pub async fn count_pending_operations(&self, max_retries: u32) -> Result<i64, HqDbError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM RETAILASYNCCUSTOMERV2 WHERE OnlineOperationCompleted = 0 AND retry_count < ?",
        )
        .bind(max_retries)
        .fetch_one(&self.pools.read)
        .await?)
    }

    /// Operations whose last sync attempt failed and that are not completed.
    pub async fn count_failed_operations(&self) -> Result<i64, HqDbError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM RETAILASYNCCUSTOMERV2 WHERE OnlineOperationCompleted = 0 AND error IS NOT NULL",
        )
        .fetch_one(&self.pools.read)
        .await?)
    }

    /// The most recent uploaded operations, newest first.
    pub async fn recent_operations(&self, limit: u32) -> Result<Vec<UploadedOperationRow>, HqDbError> {
        Ok(sqlx::query_as(&format!(
            "SELECT {OPERATION_ROW_COLUMNS} FROM {OPERATIONS_WITH_CHANNEL} ORDER BY o.id DESC LIMIT ?"
        ))
        .bind(limit)
        .fetch_all(&self.pools.read)
        .await?)
    }

    /// An uploaded operation with all its rows, as HQ holds it.
    pub async fn uploaded_operation(&self, temporary_id: &str) -> Result<Option<StagedOperation>, HqDbError> {
        let sql = operations_document("SELECT * FROM RETAILASYNCCUSTOMERV2 WHERE temporary_id = ?");
        Ok(
            read_operations(&self.pools.read, &sql, |query| query.bind(temporary_id))
                .await?
                .pop(),
        )
    }
}

/// The temporary ids of `operations` HQ holds already, from an earlier
/// upload that was not marked in the channel.
async fn already_uploaded(
    conn: &mut SqliteConnection,
    operations: &[StagedOperation],
) -> Result<HashSet<String>, HqDbError> {
    let ids: Vec<&str> = operations.iter().map(|op| op.temporary_id.as_str()).collect();
    let ids = serde_json::to_string(&ids).map_err(|error| sqlx::Error::Encode(error.into()))?;
    let found: String = sqlx::query_scalar(
        "SELECT json_group_array(temporary_id) FROM RETAILASYNCCUSTOMERV2
         WHERE temporary_id IN (SELECT value FROM json_each(?))",
    )
    .bind(ids)
    .fetch_one(&mut *conn)
    .await?;
    Ok(serde_json::from_str(&found).map_err(|error| sqlx::Error::Decode(error.into()))?)
}

/// A batch of operations to upload with the statements that store them,
/// built before HQ's transaction: the P-job builds the next batch's while
/// HQ stores this one, so HQ's one writer does not wait for them. The
/// statements assume none of the operations is in HQ yet, as when the
/// channel was marked after the last upload; the upload rebuilds them when
/// some are.
pub struct PreparedUpload {
    operations: Vec<StagedOperation>,
    run_id: i64,
    inserts: Vec<QueryBuilder<'static, Sqlite>>,
}

impl PreparedUpload {
    /// The upload of `operations` by the P-job run `run_id`.
    pub fn new(operations: Vec<StagedOperation>, run_id: i64) -> PreparedUpload {
        let inserts = upload_inserts(&operations.iter().collect::<Vec<_>>(), run_id);
        PreparedUpload {
            operations,
            run_id,
            inserts,
        }
    }

    /// The operations' ids in their channel.
    pub fn ids(&self) -> Vec<i64> {
        self.operations.iter().map(|op| op.id).collect()
    }

    /// The id of the batch's last operation in its channel, if any.
    pub fn last_id(&self) -> Option<i64> {
        self.operations.last().map(|op| op.id)
    }
}

/// The multi-row inserts of the operations' headers and child rows.
fn upload_inserts(operations: &[&StagedOperation], run_id: i64) -> Vec<QueryBuilder<'static, Sqlite>> {
    let head = format!(
        "INSERT INTO RETAILASYNCCUSTOMERV2
            ({OPERATION_COLUMNS}, channel_sequence, created_at, uploaded_at, upload_run_id, {CUSTOMER_COLUMNS}) "
    );
    let mut inserts = multi_row_inserts(&head, operations, 20, |mut row, op| {
        row.push_bind(op.temporary_id.clone())
            .push_bind(op.kind.code())
            .push_bind(op.channel_id)
            .push_bind(op.register_number)
            .push_bind(op.customer_account.clone())
            .push_bind(op.customer_temporary_id.clone())
            .push_bind(op.id)
            .push_bind(op.created_at.clone())
            .push("strftime('%Y-%m-%dT%H:%M:%fZ', 'now')")
            .push_bind(run_id);
        push_customer(&mut row, &op.customer);
    });
    let children: Vec<(&str, &CustomerDraft)> = operations
        .iter()
        .map(|op| (op.temporary_id.as_str(), &op.customer))
        .collect();
    inserts.extend(children_inserts(&children));
    inserts
}
