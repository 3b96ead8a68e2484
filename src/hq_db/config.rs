//! HQ configuration as the CDX download jobs read it.

use super::{HqDb, HqDbError};
use crate::records::{ChannelRecord, CustomerGroupRecord, FeatureRecord, RegisterRecord};

impl HqDb {
    pub async fn features(&self) -> Result<Vec<FeatureRecord>, HqDbError> {
        Ok(
            sqlx::query_as("SELECT name, enabled FROM features ORDER BY sort_order")
                .fetch_all(&self.pools.read)
                .await?,
        )
    }

    pub async fn channels(&self) -> Result<Vec<ChannelRecord>, HqDbError> {
        Ok(sqlx::query_as(
            "SELECT channel_id, name, kind, default_customer_group, create_customer_async_mode
             FROM channels ORDER BY channel_id",
        )
        .fetch_all(&self.pools.read)
        .await?)
    }

    pub async fn registers(&self) -> Result<Vec<RegisterRecord>, HqDbError> {
        Ok(sqlx::query_as(
            "SELECT channel_id, register_number FROM registers ORDER BY channel_id, register_number",
        )
        .fetch_all(&self.pools.read)
        .await?)
    }

    pub async fn customer_groups(&self) -> Result<Vec<CustomerGroupRecord>, HqDbError> {
        Ok(
            sqlx::query_as("SELECT group_id, description FROM customer_groups ORDER BY group_id")
                .fetch_all(&self.pools.read)
                .await?,
        )
    }
}

impl HqDb {
    /// Sets a feature's state in HQ Feature management.
    pub async fn set_feature_enabled(&self, name: &str, enabled: bool) -> Result<(), HqDbError> {
        sqlx::query(
            "UPDATE features SET enabled = ?, changed_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE name = ?",
        )
        .bind(enabled)
        .bind(name)
        .execute(&self.pools.write)
        .await?;
        Ok(())
    }
}
