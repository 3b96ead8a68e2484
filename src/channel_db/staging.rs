//! Reading the staging tables: what the P-job uploads and what is still
//! waiting for it.

use super::{ChannelDb, ChannelDbError};
use crate::records::StagedOperation;

const STAGED_COLUMNS: &str = "id, temporary_id, operation, channel_id, register_number, first_name,
     last_name, email, customer_group, created_at";

impl ChannelDb {
    /// The oldest operations the P-job has not uploaded yet, in channel order.
    pub async fn not_uploaded(&self, limit: u32) -> Result<Vec<StagedOperation>, ChannelDbError> {
        let sql = format!(
            "SELECT {STAGED_COLUMNS} FROM RETAILASYNCCUSTOMERV2 WHERE uploaded = 0 ORDER BY id LIMIT ?"
        );
        Ok(sqlx::query_as(&sql)
            .bind(limit)
            .fetch_all(&self.pools.read)
            .await?)
    }

    /// Marks operations as uploaded, once HQ holds them.
    pub async fn mark_uploaded(&self, ids: &[i64]) -> Result<(), ChannelDbError> {
        let mut tx = self.pools.write.begin().await?;
        for id in ids {
            sqlx::query("UPDATE RETAILASYNCCUSTOMERV2 SET uploaded = 1 WHERE id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The most recent operations still waiting for the P-job, newest first.
    pub async fn recent_not_uploaded(&self, limit: u32) -> Result<Vec<StagedOperation>, ChannelDbError> {
        let sql = format!(
            "SELECT {STAGED_COLUMNS} FROM RETAILASYNCCUSTOMERV2 WHERE uploaded = 0 ORDER BY id DESC LIMIT ?"
        );
        Ok(sqlx::query_as(&sql)
            .bind(limit)
            .fetch_all(&self.pools.read)
            .await?)
    }

    pub async fn count_not_uploaded(&self) -> Result<i64, ChannelDbError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM RETAILASYNCCUSTOMERV2 WHERE uploaded = 0")
                .fetch_one(&self.pools.read)
                .await?,
        )
    }
}
