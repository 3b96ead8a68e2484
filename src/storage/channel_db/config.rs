//! The channel's copy of HQ configuration, written by jobs 1110 and 1070.

use std::sync::Arc;

use sqlx::SqliteConnection;

use super::reference::ReferenceCopy;
use super::{ChannelDb, ChannelDbError};
use crate::domain::records::{ChannelRecord, CustomerGroupRecord, FeatureRecord, RegisterRecord};
use crate::domain::registers::RegisterOption;

const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/// The columns of a `ChannelRecord`.
const CHANNEL_COLUMNS: &str =
    "channel_id, name, kind, default_customer_group, create_customer_async_mode, scale_unit";

/// The download jobs, by the number their state is kept under.
pub const GLOBAL_CONFIGURATION: &str = "1110";
pub const CHANNEL_CONFIGURATION: &str = "1070";
pub const CUSTOMERS: &str = "1010";

/// Remembers the row version a download brought the copy to, in the
/// transaction that wrote its rows. A run whose rows are older than the
/// copy's is stopped there: another run of the job, which read HQ after it
/// (one whose lease lapsed going on beside the next), has stored newer rows.
pub(super) async fn record_download(
    tx: &mut SqliteConnection,
    job: &'static str,
    row_version: i64,
) -> Result<(), ChannelDbError> {
    let recorded = sqlx::query(&format!(
        "INSERT INTO cdx_download_state (job, row_version, downloaded_at) VALUES (?, ?, {NOW})
         ON CONFLICT (job) DO UPDATE SET row_version = excluded.row_version, downloaded_at = excluded.downloaded_at
         WHERE excluded.row_version >= cdx_download_state.row_version"
    ))
    .bind(job)
    .bind(row_version)
    .execute(&mut *tx)
    .await?;
    if recorded.rows_affected() == 0 {
        return Err(ChannelDbError::DownloadOvertaken(job));
    }
    Ok(())
}

/// A run of a download job that stores its rows in several transactions
/// (job 1010's batches): it may store them until another run of the job
/// begins. Two runs at once (one whose lease lapsed going on beside the
/// next) would otherwise let the older one store rows read before a change
/// over the newer run's, under the newer run's version, for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownloadRun {
    job: &'static str,
    number: i64,
}

/// Stops `run` when another run of its job has begun since, in the
/// transaction that would store its rows.
pub(super) async fn check_download_run(
    tx: &mut SqliteConnection,
    run: DownloadRun,
) -> Result<(), ChannelDbError> {
    let latest: Option<i64> = sqlx::query_scalar("SELECT run FROM cdx_download_runs WHERE job = ?")
        .bind(run.job)
        .fetch_optional(&mut *tx)
        .await?;
    if latest == Some(run.number) {
        Ok(())
    } else {
        Err(ChannelDbError::DownloadOvertaken(run.job))
    }
}

/// The features and profiles the channel copy holds, with when each part
/// was last downloaded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigurationCopy {
    pub features: Vec<FeatureRecord>,
    pub channels: Vec<ChannelRecord>,
    pub features_downloaded_at: Option<String>,
    pub channels_downloaded_at: Option<String>,
}

impl ChannelDb {
    /// Records that this database is filled from the HQ `hq_id` when it
    /// records no HQ yet (a new database, or one made before the record);
    /// answers the HQ it records.
    pub async fn filled_from_hq(&self, hq_id: &str) -> Result<String, ChannelDbError> {
        let mut tx = self.pools.begin_write().await?;
        sqlx::query("INSERT INTO filled_from_hq (id, hq_id) VALUES (1, ?) ON CONFLICT (id) DO NOTHING")
            .bind(hq_id)
            .execute(&mut *tx)
            .await?;
        let recorded = sqlx::query_scalar("SELECT hq_id FROM filled_from_hq WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(recorded)
    }

    /// Begins a run of `job`, which from now on is the one that may store
    /// its rows.
    pub async fn begin_download(&self, job: &'static str) -> Result<DownloadRun, ChannelDbError> {
        let mut tx = self.pools.begin_write().await?;
        let number = sqlx::query_scalar(
            "INSERT INTO cdx_download_runs (job, run) VALUES (?, 1)
             ON CONFLICT (job) DO UPDATE SET run = run + 1
             RETURNING run",
        )
        .bind(job)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(DownloadRun { job, number })
    }

    /// Job 1110: writes HQ's feature states into the channel copy, with the
    /// row version they bring the copy to.
    pub async fn save_features(
        &self,
        features: &[FeatureRecord],
        row_version: i64,
    ) -> Result<u64, ChannelDbError> {
        let mut tx = self.pools.begin_write().await?;
        record_download(&mut tx, GLOBAL_CONFIGURATION, row_version).await?;
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
        row_version: i64,
    ) -> Result<u64, ChannelDbError> {
        let mut tx = self.pools.begin_write().await?;
        record_download(&mut tx, CHANNEL_CONFIGURATION, row_version).await?;
        let channel_sql = format!(
            "INSERT INTO channels (channel_id, name, kind, default_customer_group,
                                   create_customer_async_mode, scale_unit, downloaded_at)
             VALUES (?, ?, ?, ?, ?, ?, {NOW})
             ON CONFLICT (channel_id) DO UPDATE SET
                name = excluded.name, kind = excluded.kind,
                default_customer_group = excluded.default_customer_group,
                create_customer_async_mode = excluded.create_customer_async_mode,
                scale_unit = excluded.scale_unit,
                downloaded_at = excluded.downloaded_at"
        );
        for channel in channels {
            sqlx::query(&channel_sql)
                .bind(channel.channel_id)
                .bind(&channel.name)
                .bind(&channel.kind)
                .bind(&channel.default_customer_group)
                .bind(channel.create_customer_async_mode)
                .bind(&channel.scale_unit)
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
        self.reference.changed();
        Ok((channels.len() + registers.len() + groups.len()) as u64)
    }

    /// Whether job 1070 has ever written this channel database.
    pub async fn has_channel_configuration(&self) -> Result<bool, ChannelDbError> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM channels")
            .fetch_one(&self.pools.read)
            .await?;
        Ok(count > 0)
    }

    /// Every register of every store this scale unit serves, for the POS
    /// to open one.
    pub async fn register_options(&self) -> Result<Vec<RegisterOption>, ChannelDbError> {
        Ok(sqlx::query_as(
            "SELECT r.channel_id, c.name AS channel_name, r.register_number
             FROM registers r JOIN channels c ON c.channel_id = r.channel_id
             WHERE c.kind = 'store' AND c.scale_unit = ?
             ORDER BY c.name, r.register_number",
        )
        .bind(&*self.scale_unit)
        .fetch_all(&self.pools.read)
        .await?)
    }

    /// A channel this scale unit does not serve: its name, and the unit
    /// that does when job 1070 has said so.
    pub async fn served_elsewhere(
        &self,
        channel_id: i64,
    ) -> Result<Option<(String, Option<String>)>, ChannelDbError> {
        Ok(self.reference_copy().await?.served_elsewhere(channel_id))
    }

    /// The channels this scale unit serves, as its copy says, by id.
    pub async fn served_channel_ids(&self) -> Result<Vec<i64>, ChannelDbError> {
        let copy = self.reference_copy().await?;
        Ok(copy.channels.iter().map(|channel| channel.channel_id).collect())
    }

    /// The scale unit serving the online store, when another unit does.
    pub async fn online_store_elsewhere(&self) -> Result<Option<String>, ChannelDbError> {
        Ok(self.reference_copy().await?.online_store_elsewhere())
    }

    pub async fn channel(&self, channel_id: i64) -> Result<Option<ChannelRecord>, ChannelDbError> {
        Ok(self.reference_copy().await?.channel(channel_id))
    }

    /// The channel of a register, when the channel copy has that register.
    pub async fn channel_of_register(
        &self,
        channel_id: i64,
        register_number: i64,
    ) -> Result<Option<ChannelRecord>, ChannelDbError> {
        Ok(self
            .reference_copy()
            .await?
            .channel_of_register(channel_id, register_number))
    }

    /// The online store channel, where shoppers sign up.
    pub async fn online_channel(&self) -> Result<Option<ChannelRecord>, ChannelDbError> {
        Ok(self.reference_copy().await?.online_channel())
    }

    pub async fn register_exists(
        &self,
        channel_id: i64,
        register_number: i64,
    ) -> Result<bool, ChannelDbError> {
        Ok(self
            .reference_copy()
            .await?
            .has_register(channel_id, register_number))
    }
}

impl ChannelDb {
    /// The customer groups of the channel copy, as (id, description).
    pub async fn customer_groups(&self) -> Result<Vec<(String, String)>, ChannelDbError> {
        Ok(self.reference_copy().await?.customer_groups.clone())
    }

    /// The channels, registers and customer groups, from memory while the
    /// kept copy is fresh (see `reference`), else read in one snapshot.
    async fn reference_copy(&self) -> Result<Arc<ReferenceCopy>, ChannelDbError> {
        if let Some(copy) = self.reference.fresh() {
            return Ok(copy);
        }
        let mark = self.reference.before_read();
        let mut snapshot = self.pools.read.begin().await?;
        let channels = sqlx::query_as(&format!(
            "SELECT {CHANNEL_COLUMNS} FROM channels ORDER BY channel_id"
        ))
        .fetch_all(&mut *snapshot)
        .await?;
        let registers = sqlx::query_as::<_, (i64, i64)>("SELECT channel_id, register_number FROM registers")
            .fetch_all(&mut *snapshot)
            .await?;
        let customer_groups =
            sqlx::query_as("SELECT group_id, description FROM customer_groups ORDER BY group_id")
                .fetch_all(&mut *snapshot)
                .await?;
        snapshot.commit().await?;
        let copy = Arc::new(ReferenceCopy::for_scale_unit(
            &self.scale_unit,
            channels,
            registers,
            customer_groups,
        ));
        self.reference.keep(mark, copy.clone());
        Ok(copy)
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

impl ChannelDb {
    /// The row version a download job has brought the copy to (0 before its first run).
    pub async fn downloaded_version(&self, job: &str) -> Result<i64, ChannelDbError> {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT row_version FROM cdx_download_state WHERE job = ?")
                .bind(job)
                .fetch_optional(&self.pools.read)
                .await?;
        Ok(version.unwrap_or(0))
    }

    pub async fn downloaded_at(&self, job: &str) -> Result<Option<String>, ChannelDbError> {
        Ok(
            sqlx::query_scalar("SELECT downloaded_at FROM cdx_download_state WHERE job = ?")
                .bind(job)
                .fetch_optional(&self.pools.read)
                .await?,
        )
    }

    /// Everything the configuration cache holds, read from the copy.
    pub async fn configuration_copy(&self) -> Result<ConfigurationCopy, ChannelDbError> {
        Ok(ConfigurationCopy {
            features: sqlx::query_as("SELECT name, enabled FROM features ORDER BY name")
                .fetch_all(&self.pools.read)
                .await?,
            channels: sqlx::query_as(&format!(
                "SELECT {CHANNEL_COLUMNS} FROM channels ORDER BY channel_id"
            ))
            .fetch_all(&self.pools.read)
            .await?,
            features_downloaded_at: self.downloaded_at(GLOBAL_CONFIGURATION).await?,
            channels_downloaded_at: self.downloaded_at(CHANNEL_CONFIGURATION).await?,
        })
    }

    pub async fn register_offline(
        &self,
        channel_id: i64,
        register_number: i64,
    ) -> Result<bool, ChannelDbError> {
        let offline: Option<bool> =
            sqlx::query_scalar("SELECT offline FROM registers WHERE channel_id = ? AND register_number = ?")
                .bind(channel_id)
                .bind(register_number)
                .fetch_optional(&self.pools.read)
                .await?;
        Ok(offline.unwrap_or(false))
    }

    pub async fn set_register_offline(
        &self,
        channel_id: i64,
        register_number: i64,
        offline: bool,
    ) -> Result<(), ChannelDbError> {
        sqlx::query("UPDATE registers SET offline = ? WHERE channel_id = ? AND register_number = ?")
            .bind(offline)
            .bind(channel_id)
            .bind(register_number)
            .execute(&self.pools.write)
            .await?;
        Ok(())
    }
}
