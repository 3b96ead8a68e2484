//! The channel's copy of HQ configuration, written by jobs 1110 and 1070.

use super::{ChannelDb, ChannelDbError};
use crate::pos::RegisterOption;
use crate::records::{ChannelRecord, CustomerGroupRecord, FeatureRecord, RegisterRecord};

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

impl ChannelDb {
    /// Job 1110: writes HQ's feature states into the channel copy.
    pub async fn save_features(&self, features: &[FeatureRecord]) -> Result<u64, ChannelDbError> {
        let mut tx = self.pools.write.begin().await?;
        let sql = format!(
            "INSERT INTO features (name, enabled, downloaded_at) VALUES (?, ?, {NOW})
             ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled, downloaded_at = excluded.downloaded_at"
        );
        for feature in features {
            sqlx::query(&sql)
                .bind(&feature.name)
                .bind(feature.enabled)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(features.len() as u64)
    }

    /// Job 1070: writes channels, their registers and functionality profile,
    /// and the customer groups into the channel copy.
    pub async fn save_channel_configuration(
        &self,
        channels: &[ChannelRecord],
        registers: &[RegisterRecord],
        groups: &[CustomerGroupRecord],
    ) -> Result<u64, ChannelDbError> {
        let mut tx = self.pools.write.begin().await?;
        let channel_sql = format!(
            "INSERT INTO channels (channel_id, name, kind, default_customer_group,
                                   create_customer_async_mode, downloaded_at)
             VALUES (?, ?, ?, ?, ?, {NOW})
             ON CONFLICT (channel_id) DO UPDATE SET
                name = excluded.name, kind = excluded.kind,
                default_customer_group = excluded.default_customer_group,
                create_customer_async_mode = excluded.create_customer_async_mode,
                downloaded_at = excluded.downloaded_at"
        );
        for channel in channels {
            sqlx::query(&channel_sql)
                .bind(channel.channel_id)
                .bind(&channel.name)
                .bind(&channel.kind)
                .bind(&channel.default_customer_group)
                .bind(channel.create_customer_async_mode)
                .execute(&mut *tx)
                .await?;
        }
        for register in registers {
            sqlx::query("INSERT OR IGNORE INTO registers (channel_id, register_number) VALUES (?, ?)")
                .bind(register.channel_id)
                .bind(register.register_number)
                .execute(&mut *tx)
                .await?;
        }
        let group_sql = format!(
            "INSERT INTO customer_groups (group_id, description, downloaded_at) VALUES (?, ?, {NOW})
             ON CONFLICT (group_id) DO UPDATE SET
                description = excluded.description, downloaded_at = excluded.downloaded_at"
        );
        for group in groups {
            sqlx::query(&group_sql)
                .bind(&group.group_id)
                .bind(&group.description)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok((channels.len() + registers.len() + groups.len()) as u64)
    }

    /// Whether job 1070 has ever written this channel database.
    pub async fn has_channel_configuration(&self) -> Result<bool, ChannelDbError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM channels")
            .fetch_one(&self.pools.read)
            .await?;
        Ok(count > 0)
    }

    /// Every register of every store, for the POS to open one.
    pub async fn register_options(&self) -> Result<Vec<RegisterOption>, ChannelDbError> {
        Ok(sqlx::query_as(
            "SELECT r.channel_id, c.name AS channel_name, r.register_number
             FROM registers r JOIN channels c ON c.channel_id = r.channel_id
             WHERE c.kind = 'store'
             ORDER BY c.name, r.register_number",
        )
        .fetch_all(&self.pools.read)
        .await?)
    }

    pub async fn channel(&self, channel_id: i64) -> Result<Option<ChannelRecord>, ChannelDbError> {
        Ok(sqlx::query_as(
            "SELECT channel_id, name, kind, default_customer_group, create_customer_async_mode
             FROM channels WHERE channel_id = ?",
        )
        .bind(channel_id)
        .fetch_optional(&self.pools.read)
        .await?)
    }

    /// The online store channel, where shoppers sign up.
    pub async fn online_channel(&self) -> Result<Option<ChannelRecord>, ChannelDbError> {
        Ok(sqlx::query_as(
            "SELECT channel_id, name, kind, default_customer_group, create_customer_async_mode
             FROM channels WHERE kind = 'online' ORDER BY channel_id LIMIT 1",
        )
        .fetch_optional(&self.pools.read)
        .await?)
    }

    pub async fn register_exists(
        &self,
        channel_id: i64,
        register_number: i64,
    ) -> Result<bool, ChannelDbError> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM registers WHERE channel_id = ? AND register_number = ?")
                .bind(channel_id)
                .bind(register_number)
                .fetch_one(&self.pools.read)
                .await?;
        Ok(count > 0)
    }
}

impl ChannelDb {
    /// The customer groups of the channel copy, as (id, description).
    pub async fn customer_groups(&self) -> Result<Vec<(String, String)>, ChannelDbError> {
        Ok(
            sqlx::query_as("SELECT group_id, description FROM customer_groups ORDER BY group_id")
                .fetch_all(&self.pools.read)
                .await?,
        )
    }

    /// Whether the channel copy of a feature (job 1110) says it is enabled.
    pub async fn feature_enabled(&self, name: &str) -> Result<bool, ChannelDbError> {
        let enabled: Option<bool> = sqlx::query_scalar("SELECT enabled FROM features WHERE name = ?")
            .bind(name)
            .fetch_optional(&self.pools.read)
            .await?;
        Ok(enabled.unwrap_or(false))
    }
}
