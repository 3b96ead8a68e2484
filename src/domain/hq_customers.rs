//! A customer account as HQ's Customers page lists it.

use serde::{Deserialize, Serialize};

use crate::domain::customer::group_caption;

/// A customer as the HQ Customers page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct HqCustomerRow {
    pub account: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub customer_group: String,
    pub customer_group_description: Option<String>,
    pub created_at: String,
    pub source_channel: Option<String>,
    pub async_customer_id: Option<String>,
    pub primary_address: Option<String>,
    pub address_count: i64,
    pub loyalty_card: Option<String>,
}

impl HqCustomerRow {
    /// Its customer group as the forms offer it, "30 Retail customers".
    pub fn customer_group_caption(&self) -> String {
        match &self.customer_group_description {
            Some(description) => group_caption(&self.customer_group, description),
            None => self.customer_group.clone(),
        }
    }
}
