//! A customer account as HQ's Customers page lists it.

use serde::{Deserialize, Serialize};

use crate::domain::customer::{country_name, group_caption};

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
    /// The primary address's street, city and ZIP/postal code, and its
    /// country's code.
    pub primary_address: Option<String>,
    pub primary_country: Option<String>,
    pub address_count: i64,
    pub loyalty_card: Option<String>,
}

impl HqCustomerRow {
    /// The primary address on one line, its country by name, as the POS
    /// shows it.
    pub fn primary_address_line(&self) -> Option<String> {
        let address = self.primary_address.as_deref()?;
        Some(match self.primary_country.as_deref() {
            Some(country) => format!("{address}, {}", country_name(country)),
            None => address.to_string(),
        })
    }

    /// Its customer group as the forms offer it, "30 Retail customers".
    pub fn customer_group_caption(&self) -> String {
        match &self.customer_group_description {
            Some(description) => group_caption(&self.customer_group, description),
            None => self.customer_group.clone(),
        }
    }
}
