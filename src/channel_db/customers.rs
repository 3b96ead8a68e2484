//! The channel's copy of HQ customers, written by job 1010.

use super::{ChannelDb, ChannelDbError};
use crate::records::CustomerRecord;

impl ChannelDb {
    /// Job 1010: writes HQ customers into the channel copy.
    pub async fn save_customers(&self, customers: &[CustomerRecord]) -> Result<u64, ChannelDbError> {
        let mut tx = self.pools.write.begin().await?;
        for customer in customers {
            sqlx::query(
                "INSERT INTO customers (account, first_name, last_name, email, customer_group,
                                        async_customer_id, downloaded_at)
                 VALUES (?, ?, ?, ?, ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                 ON CONFLICT (account) DO UPDATE SET
                    first_name = excluded.first_name, last_name = excluded.last_name,
                    email = excluded.email, customer_group = excluded.customer_group,
                    async_customer_id = excluded.async_customer_id,
                    downloaded_at = excluded.downloaded_at",
            )
            .bind(&customer.account)
            .bind(&customer.first_name)
            .bind(&customer.last_name)
            .bind(&customer.email)
            .bind(&customer.customer_group)
            .bind(&customer.async_customer_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(customers.len() as u64)
    }

    pub async fn count_customers(&self) -> Result<i64, ChannelDbError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM customers")
            .fetch_one(&self.pools.read)
            .await?)
    }
}
