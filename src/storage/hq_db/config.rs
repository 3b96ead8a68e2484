//! HQ channels, as pages name them.

use super::{HqDb, HqDbError};
use crate::domain::records::ChannelRecord;

impl HqDb {
    pub async fn channels(&self) -> Result<Vec<ChannelRecord>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_as(
            "SELECT channel_id, name, kind, default_customer_group, create_customer_async_mode, scale_unit
             FROM channels ORDER BY channel_id",
        )
        .fetch_all(&pools.read)
        .await?))
    }

    /// Every customer group HQ has, with its description.
    pub async fn customer_group_options(&self) -> Result<Vec<(String, String)>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_as(
            "SELECT group_id, description FROM customer_groups ORDER BY group_id"
        )
        .fetch_all(&pools.read)
        .await?))
    }
}
