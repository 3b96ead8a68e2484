//! Reading the staging tables: what the P-job uploads, what is still
//! waiting for it, and the operations of one customer.

use super::{ChannelDb, ChannelDbError};
use crate::domain::records::StagedOperation;
use crate::storage::dialect::Dialect;
use crate::storage::staging_tables::{operations_document, read_operations};

impl ChannelDb {
    /// The oldest operations the P-job has not uploaded yet, in channel
    /// order, with all their rows.
    pub async fn not_uploaded(&self, limit: u32) -> Result<Vec<StagedOperation>, ChannelDbError> {
        self.not_uploaded_after(0, limit).await
    }

    /// The oldest operations after `after_id` the P-job has not uploaded yet.
    pub async fn not_uploaded_after(
        &self,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<StagedOperation>, ChannelDbError> {
        let sql = operations_document(
            Dialect::Sqlite,
            "SELECT * FROM RETAILASYNCCUSTOMERV2 WHERE uploaded = 0 AND id > ? ORDER BY id LIMIT ?",
        );
        Ok(read_operations(&self.pools.read, &sql, |query| query.bind(after_id).bind(limit)).await?)
    }

    /// The numbers and temporary ids of the oldest operations after
    /// `after_id` the P-job has not marked uploaded yet.
    pub async fn not_uploaded_ids_after(
        &self,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<(i64, String)>, ChannelDbError> {
        Ok(sqlx::query_as(
            "SELECT id, temporary_id FROM RETAILASYNCCUSTOMERV2 WHERE uploaded = 0 AND id > ? ORDER BY id LIMIT ?",
        )
        .bind(after_id)
        .bind(limit)
        .fetch_all(&self.pools.read)
        .await?)
    }

    /// Marks operations as uploaded, once HQ holds them.
    pub async fn mark_uploaded(&self, ids: &[i64]) -> Result<(), ChannelDbError> {
        let ids = serde_json::to_string(ids).map_err(|error| sqlx::Error::Encode(error.into()))?;
        let mut tx = self.pools.begin_write().await?;
        sqlx::query(
            "UPDATE RETAILASYNCCUSTOMERV2 SET uploaded = 1 WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind(ids)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn count_not_uploaded(&self) -> Result<i64, ChannelDbError> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM RETAILASYNCCUSTOMERV2 WHERE uploaded = 0")
                .fetch_one(&self.pools.read)
                .await?,
        )
    }

    /// Whether a create staged here and not uploaded yet, other than the
    /// create `except_temporary_id`, gives a customer the email `email_key`
    /// (folded by `email_key`).
    pub async fn email_of_create_not_uploaded(
        &self,
        email_key: &str,
        except_temporary_id: Option<&str>,
    ) -> Result<bool, ChannelDbError> {
        Ok(sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM RETAILASYNCCUSTOMERV2
                            WHERE uploaded = 0 AND operation = 'create' AND lower(email) = ?1
                              AND (?2 IS NULL OR temporary_id <> ?2))",
        )
        .bind(email_key)
        .bind(except_temporary_id)
        .fetch_one(&self.pools.read)
        .await?)
    }

    /// The operation staged under `temporary_id`, whatever it does, with all its rows.
    pub async fn staged_operation(
        &self,
        temporary_id: &str,
    ) -> Result<Option<StagedOperation>, ChannelDbError> {
        let sql = operations_document(
            Dialect::Sqlite,
            "SELECT * FROM RETAILASYNCCUSTOMERV2 WHERE temporary_id = ?",
        );
        Ok(
            read_operations(&self.pools.read, &sql, |query| query.bind(temporary_id))
                .await?
                .pop(),
        )
    }

    /// The create staged under `temporary_id`, with all its rows.
    pub async fn staged_create(&self, temporary_id: &str) -> Result<Option<StagedOperation>, ChannelDbError> {
        let sql = operations_document(
            Dialect::Sqlite,
            "SELECT * FROM RETAILASYNCCUSTOMERV2 WHERE temporary_id = ? AND operation = 'create'",
        );
        Ok(
            read_operations(&self.pools.read, &sql, |query| query.bind(temporary_id))
                .await?
                .pop(),
        )
    }

    /// The updates and address additions staged for a customer, named by its
    /// account or by the temporary id of its create, that HQ has not settled,
    /// in the order they were made: for each channel, those this database
    /// numbered after the newest of the channel's changes HQ settled
    /// (`applied.settled_by_channel`). A copy written before HQ sent that
    /// knows only the newest change of any store HQ applied: when this
    /// database staged it, the changes numbered after it; otherwise those
    /// made after its time, and those the P-job has not uploaded.
    pub async fn staged_changes(
        &self,
        account: Option<&str>,
        temporary_id: Option<&str>,
        applied: &AppliedUpTo<'_>,
    ) -> Result<Vec<StagedOperation>, ChannelDbError> {
        let sql = operations_document(
            Dialect::Sqlite,
            "SELECT * FROM RETAILASYNCCUSTOMERV2 change
             WHERE operation IN ('update', 'add_address')
               AND (customer_account = ?1 OR customer_temporary_id = ?2)
               AND CASE WHEN ?5 IS NOT NULL
                        THEN id > COALESCE((SELECT settled.id FROM RETAILASYNCCUSTOMERV2 settled
                                            WHERE settled.temporary_id
                                                  = json_extract(?5, '$.\"' || change.channel_id || '\"')), 0)
                        WHEN EXISTS (SELECT 1 FROM RETAILASYNCCUSTOMERV2 WHERE temporary_id = ?3)
                        THEN id > (SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE temporary_id = ?3)
                        ELSE created_at > ?4 OR uploaded = 0 END
             ORDER BY id",
        );
        Ok(read_operations(&self.pools.read, &sql, |query| {
            query
                .bind(account)
                .bind(temporary_id)
                .bind(applied.temporary_id)
                .bind(applied.created_at)
                .bind(applied.settled_by_channel)
        })
        .await?)
    }
}

/// Which staged changes of a customer HQ has settled (applied, or refused
/// for good). A store's changes after the newest of its own that HQ
/// settled are on their way.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppliedUpTo<'a> {
    /// For each channel, the newest of its changes HQ settled, as job 1010
    /// brings it: `{"<channel id>": "<temporary id>"}`.
    pub settled_by_channel: Option<&'a str>,
    /// Without it (a copy written before HQ sent it), the newest change of
    /// any store HQ applied: its temporary id and when it was made; none
    /// of either before any.
    pub temporary_id: Option<&'a str>,
    pub created_at: &'a str,
}
