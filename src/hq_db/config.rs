//! HQ channels, as pages name them.

use super::{HqDb, HqDbError};
use crate::records::ChannelRecord;

impl HqDb {
    pub async fn channels(&self) -> Result<Vec<ChannelRecord>, HqDbError> {
        Ok(sqlx::query_as(
            "SELECT channel_id, name, kind, default_customer_group, create_customer_async_mode
             FROM channels ORDER BY channel_id",
        )
        .fetch_all(&self.pools.read)
        .await?)
    }
}
