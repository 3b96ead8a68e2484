//! HQ customers: the list admins read and the rows job 1010 sends to the
//! channels.

use super::{HqDb, HqDbError};
use crate::hq::customers::HqCustomerRow;
use crate::records::CustomerRecord;

impl HqDb {
    /// Customers, newest account first.
    pub async fn customer_list(&self, limit: u32) -> Result<Vec<HqCustomerRow>, HqDbError> {
        Ok(sqlx::query_as(
            "SELECT c.account, c.first_name, c.last_name, c.email, c.customer_group, c.created_at,
                    ch.name AS source_channel, c.async_customer_id
             FROM customers c LEFT JOIN channels ch ON ch.channel_id = c.source_channel_id
             ORDER BY c.account DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pools.read)
        .await?)
    }

    /// Every customer, for job 1010.
    pub async fn customers_for_channels(&self) -> Result<Vec<CustomerRecord>, HqDbError> {
        Ok(sqlx::query_as(
            "SELECT account, first_name, last_name, email, customer_group, async_customer_id
             FROM customers ORDER BY account",
        )
        .fetch_all(&self.pools.read)
        .await?)
    }

    pub async fn count_customers(&self) -> Result<i64, HqDbError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM customers")
            .fetch_one(&self.pools.read)
            .await?)
    }
}
