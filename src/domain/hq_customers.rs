//! A customer account as HQ's Customers page lists it.

use serde::{Deserialize, Serialize};

/// A customer as the HQ Customers page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct HqCustomerRow {
    pub account: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub customer_group: String,
    pub created_at: String,
    pub source_channel: Option<String>,
    pub async_customer_id: Option<String>,
    pub primary_address: Option<String>,
    pub address_count: i64,
    pub loyalty_card: Option<String>,
}
