//! The uploaded copies of the channels' asynchronous customer operations.

use std::collections::HashSet;

use sqlx::FromRow;

use super::{HqDb, HqDbError};
use crate::records::StagedOperation;
use crate::staging_tables::{
    CUSTOMER_COLUMNS, HEADER_COLUMNS, HeaderRow, OPERATION_COLUMNS, OperationJson, insert_children,
    json_fields, load_operations, operations_json,
};

/// An uploaded operation as "Synchronize customers and channel requests"
/// processes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedOperation {
    pub operation: StagedOperation,
    pub retry_count: i64,
}

/// An uploaded operation as the Customer synchronization status page lists it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct UploadedOperationRow {
    pub id: i64,
    pub temporary_id: String,
    pub operation: String,
    pub channel: Option<String>,
    pub created_at: String,
    pub name: String,
    pub customer_account: Option<String>,
    pub customer_temporary_id: Option<String>,
    pub online_operation_completed: bool,
    pub account: Option<String>,
    pub error: Option<String>,
    pub retry_count: i64,
    pub last_attempt_at: Option<String>,
}

#[derive(FromRow)]
struct PendingRow {
    #[sqlx(flatten)]
    header: HeaderRow,
    retry_count: i64,
}

impl HqDb {
    /// Stores uploaded operations with all their rows; one already uploaded
    /// (same temporary id) is left as it is, so a P-job that runs again
    /// duplicates nothing. Returns how many were new.
    pub async fn save_uploaded_operations(
        &self,
        operations: &[StagedOperation],
        run_id: i64,
    ) -> Result<u64, HqDbError> {
        let sql = format!(
            "INSERT INTO RETAILASYNCCUSTOMERV2
                ({OPERATION_COLUMNS}, created_at, uploaded_at, upload_run_id, {CUSTOMER_COLUMNS})
             SELECT {}, o.value ->> 'created_at', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?, {}
             FROM json_each(?) o WHERE true
             ON CONFLICT (temporary_id) DO NOTHING
             RETURNING temporary_id",
            json_fields("o", OPERATION_COLUMNS),
            json_fields("o", CUSTOMER_COLUMNS),
        );
        let mut tx = self.pools.begin_write().await?;
        let all = operations_json(operations.iter().map(OperationJson::from))?;
        let new: HashSet<String> = sqlx::query_scalar(&sql)
            .bind(run_id)
            .bind(&all)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
        let new_operations = operations
            .iter()
            .filter(|op| new.contains(&op.temporary_id))
            .map(OperationJson::from);
        insert_children(&mut tx, &operations_json(new_operations)?).await?;
        tx.commit().await?;
        Ok(new.len() as u64)
    }

    /// Operations not completed yet and still under the retry limit, after
    /// `after_id`, oldest first, with all their rows.
    pub async fn pending_operations(
        &self,
        after_id: i64,
        limit: u32,
        max_retries: u32,
    ) -> Result<Vec<UploadedOperation>, HqDbError> {
        let rows: Vec<PendingRow> = sqlx::query_as(&format!(
            "SELECT {HEADER_COLUMNS}, retry_count FROM RETAILASYNCCUSTOMERV2
             WHERE OnlineOperationCompleted = 0 AND id > ? AND retry_count < ?
             ORDER BY id LIMIT ?"
        ))
        .bind(after_id)
        .bind(max_retries)
        .bind(limit)
        .fetch_all(&self.pools.read)
        .await?;
        let retries: Vec<i64> = rows.iter().map(|row| row.retry_count).collect();
        let operations =
            load_operations(&self.pools.read, rows.into_iter().map(|row| row.header).collect()).await?;
        Ok(operations
            .into_iter()
            .zip(retries)
            .map(|(operation, retry_count)| UploadedOperation {
                operation,
                retry_count,
            })
            .collect())
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
        Ok(sqlx::query_as(
            "SELECT o.id, o.temporary_id, o.operation, c.name AS channel, o.created_at,
                    CASE WHEN o.party_type = 'organization' THEN o.organization_name
                         ELSE o.first_name || ' ' || o.last_name END AS name,
                    o.customer_account, o.customer_temporary_id,
                    o.OnlineOperationCompleted AS online_operation_completed, o.account,
                    o.error, o.retry_count, o.last_attempt_at
             FROM RETAILASYNCCUSTOMERV2 o LEFT JOIN channels c ON c.channel_id = o.channel_id
             ORDER BY o.id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pools.read)
        .await?)
    }

    /// An uploaded operation with all its rows, as HQ holds it.
    pub async fn uploaded_operation(&self, temporary_id: &str) -> Result<Option<StagedOperation>, HqDbError> {
        let headers: Vec<HeaderRow> = sqlx::query_as(&format!(
            "SELECT {HEADER_COLUMNS} FROM RETAILASYNCCUSTOMERV2 WHERE temporary_id = ?"
        ))
        .bind(temporary_id)
        .fetch_all(&self.pools.read)
        .await?;
        Ok(load_operations(&self.pools.read, headers).await?.pop())
    }
}
