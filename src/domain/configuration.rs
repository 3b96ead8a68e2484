//! What HQ's configuration pages list: features, functionality profiles
//! and the history of their changes.

use serde::{Deserialize, Serialize};

/// A switch's state as the pages and their messages name it.
pub fn on_off(value: bool) -> &'static str {
    if value { "On" } else { "Off" }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct FeatureRow {
    pub name: String,
    pub enabled: bool,
    pub changed_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ProfileRow {
    pub channel_id: i64,
    pub name: String,
    pub kind: String,
    pub create_customer_async_mode: bool,
    pub changed_at: String,
}

/// One recorded change: who set what from which value to which.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ConfigChange {
    pub changed_at: String,
    pub subject: String,
    pub option: String,
    pub old_value: bool,
    pub new_value: bool,
    pub changed_by: String,
}
