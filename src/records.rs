//! The rows that travel between the channel database and HQ, as the CDX
//! jobs carry them. Plain data: the storage modules read and write them,
//! `cdx` moves them.

use serde::{Deserialize, Serialize};

/// One staged asynchronous customer operation, as the P-job uploads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct StagedOperation {
    /// The channel's own row id, which orders the channel's operations.
    pub id: i64,
    pub temporary_id: String,
    pub operation: String,
    pub channel_id: i64,
    pub register_number: Option<i64>,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub customer_group: String,
    pub created_at: String,
}

/// A feature's state, as job 1110 copies it to the channel.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct FeatureRecord {
    pub name: String,
    pub enabled: bool,
}

/// A channel and its functionality profile, as job 1070 copies it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ChannelRecord {
    pub channel_id: i64,
    pub name: String,
    pub kind: String,
    pub default_customer_group: String,
    pub create_customer_async_mode: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct RegisterRecord {
    pub channel_id: i64,
    pub register_number: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct CustomerGroupRecord {
    pub group_id: String,
    pub description: String,
}

/// An HQ customer, as job 1010 copies it to the channel.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct CustomerRecord {
    pub account: String,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub customer_group: String,
    pub async_customer_id: Option<String>,
}
