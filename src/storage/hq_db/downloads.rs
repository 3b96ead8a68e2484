//! What the CDX download jobs read from HQ: the rows changed since the row
//! version a channel already has. A download reads the highest version
//! first, which bounds the rows, then the rows, so that a change committed
//! meanwhile (another scale unit taking a channel, a sync) waits whole for
//! the next run. Configuration is read in one snapshot, so that a channel's
//! registers never arrive without the channel; customers, which a sync
//! changes by the hundred thousand, in batches, each in one snapshot, so
//! that a customer never arrives without its addresses, contacts,
//! affiliations and attributes.

use super::customers::{CustomerChildRows, CustomerRow, customer_records};
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

    /// The newest version of HQ's customers, at least `after`: where a run
    /// of job 1010 stops. What is committed after it has a newer version
    /// and waits for the next run.
    pub async fn customers_version(&self, after: i64) -> Result<i64, HqDbError> {
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_read().await?;
            let row_version = max_version!(tx, "customers", after);
            tx.commit().await?;
            Ok(row_version)
        })
    }

    /// How many customers HQ created or changed after version `after`: what
    /// a scale unit whose last run of job 1010 reached `after` does not
    /// have yet.
    pub async fn count_customers_changed_since(&self, after: i64) -> Result<i64, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM customers WHERE row_version > $1"
        )
        .bind(after)
        .fetch_one(&pools.read)
        .await?))
    }

    /// Job 1010: up to `limit` customers (with their addresses, contacts,
    /// affiliations and attributes) changed after `from` and at most at
    /// version `through`, in version order, read in one snapshot, so that no
    /// customer comes without its rows.
    pub async fn customers_changed(
        &self,
        from: &CustomersReadTo,
        through: i64,
        limit: u32,
    ) -> Result<CustomersBatch, HqDbError> {
        let (rows, children): (Vec<CustomerRow>, CustomerChildRows) = on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_read().await?;
            // Before the first batch the account is NULL, and
            // `account > NULL` is never true: the run starts after the
            // version alone.
            let rows: Vec<CustomerRow> = sqlx::query_as(&format!(
                "SELECT row_version, account, async_customer_id, last_async_operation_at,
                            last_async_operation_id, settled_by_channel, {CUSTOMER_COLUMNS}
                     FROM customers
                     WHERE row_version >= $1 AND (row_version > $1 OR account > $2) AND row_version <= $3
                     ORDER BY row_version, account LIMIT $4"
            ))
            .bind(from.row_version)
            .bind(&from.account)
            .bind(through)
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
            let mut children = CustomerChildRows::default();
            if let Some(last) = rows.last() {
                // The rows of the batch's customers: those from the read's
                // start to its last customer.
                macro_rules! batch_rows {
                    ($table:literal, $columns:literal, $order:literal) => {
                        sqlx::query_as(concat!(
                            "SELECT x.account, ", $columns, " FROM ", $table, " x
                             JOIN customers c ON c.account = x.account
                             WHERE c.row_version >= $1 AND (c.row_version > $1 OR c.account > $2)
                               AND (c.row_version < $3 OR (c.row_version = $3 AND c.account <= $4))
                             ORDER BY x.account, x.", $order
                        ))
                        .bind(from.row_version)
                        .bind(&from.account)
                        .bind(last.row_version)
                        .bind(&last.account)
                        .fetch_all(&mut *tx)
                        .await?
                    };
                }
                children.addresses = batch_rows!(
                    "customer_addresses",
                    "x.name, x.purpose, x.street, x.city, x.state, x.zip, x.country_region, x.is_primary",
                    "line"
                );
                children.contacts = batch_rows!(
                    "customer_contacts",
                    "x.contact_type, x.value, x.is_primary",
                    "line"
                );
                children.affiliations = batch_rows!("customer_affiliations", "x.affiliation", "affiliation");
                children.attributes = batch_rows!("customer_attributes", "x.name, x.value", "name");
            }
            tx.commit().await?;
            (rows, children)
        });
        let read_to = match rows.last() {
            Some(last) => CustomersReadTo {
                row_version: last.row_version,
                account: Some(last.account.clone()),
            },
            None => from.clone(),
        };
        Ok(CustomersBatch {
            rows: customer_records(rows, children),
            read_to,
        })
    }
}

/// How far a run of job 1010 has read: the version and account of the
/// last customer it read, or, before it has read any, the version the
/// channel already has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomersReadTo {
    pub row_version: i64,
    pub account: Option<String>,
}

impl CustomersReadTo {
    /// Before the first customer of a run: after the channel's version.
    pub fn after(row_version: i64) -> CustomersReadTo {
        CustomersReadTo {
            row_version,
            account: None,
        }
    }
}

/// One batch of job 1010, and how far it read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomersBatch {
    pub rows: Vec<CustomerRecord>,
    pub read_to: CustomersReadTo,
}
