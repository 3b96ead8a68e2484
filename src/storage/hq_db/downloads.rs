//! What the CDX download jobs read from HQ: the rows changed since the row
//! version a channel already has. Each download reads in one snapshot: the
//! highest version first, which bounds the rows, then the rows, so that a
//! change committed meanwhile (another scale unit taking a channel, a sync)
//! waits whole for the next run, instead of a channel's registers arriving
//! without the channel, or a customer without its addresses.

use super::customers::{AddressRow, CustomerRow, customer_records};
use super::{HqDb, HqDbError};
use crate::domain::records::{
    ChannelRecord, CustomerGroupRecord, CustomerRecord, FeatureRecord, RegisterRecord,
};
use crate::storage::staging_tables::CUSTOMER_COLUMNS;

/// Rows of one download, with the row version the channel has once it
/// keeps them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed<T> {
    pub rows: T,
    pub row_version: i64,
}

/// Channels, registers and customer groups, as job 1070 sends them.
pub type ChannelConfiguration = (Vec<ChannelRecord>, Vec<RegisterRecord>, Vec<CustomerGroupRecord>);

/// The highest row version of `$table` in the snapshot `$tx`, at least `$after`.
macro_rules! max_version {
    ($tx:expr, $table:literal, $after:expr) => {{
        let max: Option<i64> = sqlx::query_scalar(concat!("SELECT MAX(row_version) FROM ", $table))
            .fetch_one(&mut *$tx)
            .await?;
        max.unwrap_or(0).max($after)
    }};
}

impl HqDb {
    /// Job 1110: features changed since `after`.
    pub async fn features_changed_since(&self, after: i64) -> Result<Changed<Vec<FeatureRecord>>, HqDbError> {
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_read().await?;
            let row_version = max_version!(tx, "features", after);
            let rows = sqlx::query_as(
                "SELECT name, enabled FROM features WHERE row_version > $1 AND row_version <= $2 ORDER BY sort_order",
            )
            .bind(after)
            .bind(row_version)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Changed { rows, row_version })
        })
    }

    /// Job 1070: channels, registers and customer groups changed since `after`.
    pub async fn channel_configuration_changed_since(
        &self,
        after: i64,
    ) -> Result<Changed<ChannelConfiguration>, HqDbError> {
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_read().await?;
            let row_version = max_version!(tx, "channels", after)
                .max(max_version!(tx, "registers", after))
                .max(max_version!(tx, "customer_groups", after));
            let channels = sqlx::query_as(
                "SELECT channel_id, name, kind, default_customer_group, create_customer_async_mode, scale_unit
                 FROM channels WHERE row_version > $1 AND row_version <= $2 ORDER BY channel_id",
            )
            .bind(after)
            .bind(row_version)
            .fetch_all(&mut *tx)
            .await?;
            let registers = sqlx::query_as(
                "SELECT channel_id, register_number FROM registers WHERE row_version > $1 AND row_version <= $2
                 ORDER BY channel_id, register_number",
            )
            .bind(after)
            .bind(row_version)
            .fetch_all(&mut *tx)
            .await?;
            let groups = sqlx::query_as(
                "SELECT group_id, description FROM customer_groups WHERE row_version > $1 AND row_version <= $2
                 ORDER BY group_id",
            )
            .bind(after)
            .bind(row_version)
            .fetch_all(&mut *tx)
            .await?;
            tx.commit().await?;
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
        let (row_version, rows, addresses): (i64, Vec<CustomerRow>, Vec<AddressRow>) =
            on_engine!(self, |pools, sql| {
                let mut tx = pools.begin_read().await?;
                let row_version = max_version!(tx, "customers", after);
                let rows = sqlx::query_as(&format!(
                    "SELECT account, async_customer_id, last_async_operation_at, last_async_operation_id,
                            {CUSTOMER_COLUMNS}
                     FROM customers
                     WHERE row_version > $1 AND row_version <= $2 ORDER BY account"
                ))
                .bind(after)
                .bind(row_version)
                .fetch_all(&mut *tx)
                .await?;
                let addresses = sqlx::query_as(
                    "SELECT a.account, a.name, a.purpose, a.street, a.city, a.state, a.zip, a.country_region,
                            a.is_primary
                     FROM customer_addresses a JOIN customers c ON c.account = a.account
                     WHERE c.row_version > $1 AND c.row_version <= $2 ORDER BY a.account, a.line",
                )
                .bind(after)
                .bind(row_version)
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                (row_version, rows, addresses)
            });
        Ok(Changed {
            rows: customer_records(rows, addresses),
            row_version,
        })
    }
}
