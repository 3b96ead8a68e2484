//! The uploaded copies of the channels' asynchronous customer operations.

use super::{HqDb, HqDbError};
use crate::records::StagedOperation;

/// An uploaded operation as "Synchronize customers and channel requests"
/// processes it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct UploadedOperation {
    pub id: i64,
    pub temporary_id: String,
    pub operation: String,
    pub channel_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub customer_group: String,
    pub retry_count: i64,
}

/// An uploaded operation as the Customer synchronization status page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct UploadedOperationRow {
    pub id: i64,
    pub temporary_id: String,
    pub operation: String,
    pub channel: Option<String>,
    pub created_at: String,
    pub first_name: String,
    pub last_name: String,
    pub online_operation_completed: bool,
    pub account: Option<String>,
    pub error: Option<String>,
    pub retry_count: i64,
    pub last_attempt_at: Option<String>,
}

impl HqDb {
    /// Stores uploaded operations; one already uploaded (same temporary id)
    /// is left as it is, so a P-job that runs again duplicates nothing.
    /// Returns how many were new.
    pub async fn save_uploaded_operations(
        &self,
        operations: &[StagedOperation],
        run_id: i64,
    ) -> Result<u64, HqDbError> {
        let mut tx = self.pools.write.begin().await?;
        let mut inserted = 0;
        for op in operations {
            inserted += sqlx::query(
                "INSERT INTO RETAILASYNCCUSTOMERV2
                    (temporary_id, operation, channel_id, register_number, first_name, last_name,
                     email, customer_group, created_at, uploaded_at, upload_run_id)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?)
                 ON CONFLICT (temporary_id) DO NOTHING",
            )
            .bind(&op.temporary_id)
            .bind(&op.operation)
            .bind(op.channel_id)
            .bind(op.register_number)
            .bind(&op.first_name)
            .bind(&op.last_name)
            .bind(&op.email)
            .bind(&op.customer_group)
            .bind(&op.created_at)
            .bind(run_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(inserted)
    }

    /// Operations not completed yet and still under the retry limit, after
    /// `after_id`, oldest first.
    pub async fn pending_operations(
        &self,
        after_id: i64,
        limit: u32,
        max_retries: u32,
    ) -> Result<Vec<UploadedOperation>, HqDbError> {
        Ok(sqlx::query_as(
            "SELECT id, temporary_id, operation, channel_id, first_name, last_name, email,
                    customer_group, retry_count
             FROM RETAILASYNCCUSTOMERV2
             WHERE OnlineOperationCompleted = 0 AND id > ? AND retry_count < ?
             ORDER BY id LIMIT ?",
        )
        .bind(after_id)
        .bind(max_retries)
        .bind(limit)
        .fetch_all(&self.pools.read)
        .await?)
    }

    pub async fn count_pending_operations(&self, max_retries: u32) -> Result<i64, HqDbError> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM RETAILASYNCCUSTOMERV2 WHERE OnlineOperationCompleted = 0 AND retry_count < ?",
        )
        .bind(max_retries)
        .fetch_one(&self.pools.read)
        .await?)
    }

    /// The most recent uploaded operations, newest first.
    pub async fn recent_operations(&self, limit: u32) -> Result<Vec<UploadedOperationRow>, HqDbError> {
        Ok(sqlx::query_as(
            "SELECT o.id, o.temporary_id, o.operation, c.name AS channel, o.created_at, o.first_name,
                    o.last_name, o.OnlineOperationCompleted AS online_operation_completed, o.account,
                    o.error, o.retry_count, o.last_attempt_at
             FROM RETAILASYNCCUSTOMERV2 o LEFT JOIN channels c ON c.channel_id = o.channel_id
             ORDER BY o.id DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pools.read)
        .await?)
    }
}
