//! What the CDX download jobs read from HQ: the rows changed since the row
//! version a channel already has. The highest version is read first and
//! bounds the rows, so a change committed meanwhile waits for the next run
//! instead of being skipped.

use super::{HqDb, HqDbError};
use crate::domain::records::{
    ChannelRecord, CustomerGroupRecord, CustomerRecord, FeatureRecord, RegisterRecord,
};

/// Rows of one download, with the row version the channel has once it
/// keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed<T> {
    pub rows: T,
    pub row_version: i64,
}

/// Channels, registers and customer groups, as job 1070 sends them.
pub type ChannelConfiguration = (Vec<ChannelRecord>, Vec<RegisterRecord>, Vec<CustomerGroupRecord>);

impl HqDb {
    /// Job 1110: features changed since `after`.
    pub async fn features_changed_since(&self, after: i64) -> Result<Changed<Vec<FeatureRecord>>, HqDbError> {
        let row_version = self.max_version("features", after).await?;
        let rows = on_engine!(self, |pools, sql| {
            sqlx::query_as(
            "SELECT name, enabled FROM features WHERE row_version > $1 AND row_version <= $2 ORDER BY sort_order",
        )
        .bind(after)
        .bind(row_version)
        .fetch_all(&pools.read)
        .await?
        });
        Ok(Changed { rows, row_version })
    }

    /// Job 1070: channels, registers and customer groups changed since `after`.
    pub async fn channel_configuration_changed_since(
        &self,
        after: i64,
    ) -> Result<Changed<ChannelConfiguration>, HqDbError> {
        let row_version = self
            .max_version("channels", after)
            .await?
            .max(self.max_version("registers", after).await?)
            .max(self.max_version("customer_groups", after).await?);
        on_engine!(self, |pools, sql| {
            let channels = sqlx::query_as(
                "SELECT channel_id, name, kind, default_customer_group, create_customer_async_mode, scale_unit
                 FROM channels WHERE row_version > $1 AND row_version <= $2 ORDER BY channel_id",
            )
            .bind(after)
            .bind(row_version)
            .fetch_all(&pools.read)
            .await?;
            let registers = sqlx::query_as(
                "SELECT channel_id, register_number FROM registers WHERE row_version > $1 AND row_version <= $2
                 ORDER BY channel_id, register_number",
            )
            .bind(after)
            .bind(row_version)
            .fetch_all(&pools.read)
            .await?;
            let groups = sqlx::query_as(
                "SELECT group_id, description FROM customer_groups WHERE row_version > $1 AND row_version <= $2
                 ORDER BY group_id",
            )
            .bind(after)
            .bind(row_version)
            .fetch_all(&pools.read)
            .await?;
            Ok(Changed {
                rows: (channels, registers, groups),
                row_version,
            })
        })
    }

    /// Job 1010: customers (with their addresses) changed since `after`.
    pub async fn customers_changed_since(
        &self,
        after: i64,
    ) -> Result<Changed<Vec<CustomerRecord>>, HqDbError> {
        let row_version = self.max_version("customers", after).await?;
        let rows = self.customer_records_between(after, row_version).await?;
        Ok(Changed { rows, row_version })
    }

    async fn max_version(&self, table: &'static str, at_least: i64) -> Result<i64, HqDbError> {
        let max: Option<i64> = on_engine!(self, |pools, sql| sqlx::query_scalar(&format!(
            "SELECT MAX(row_version) FROM {table}"
        ))
        .fetch_one(&pools.read)
        .await?);
        Ok(max.unwrap_or(0).max(at_least))
    }
}
