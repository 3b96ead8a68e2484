//! The values a customer's fields may take. Customer groups are HQ data
//! (downloaded by job 1070); the other lists are fixed by the product.

use serde::{Deserialize, Serialize};

/// (code, name) of the countries/regions whose postal codes are checked.
pub const COUNTRIES: [(&str, &str); 5] = [
    ("USA", "United States"),
    ("CAN", "Canada"),
    ("GBR", "United Kingdom"),
    ("DEU", "Germany"),
    ("FRA", "France"),
];

pub const LANGUAGES: [(&str, &str); 5] = [
    ("en-us", "English (United States)"),
    ("en-gb", "English (United Kingdom)"),
    ("fr-ca", "French (Canada)"),
    ("de", "German"),
    ("fr", "French"),
];

pub const CURRENCIES: [&str; 4] = ["USD", "CAD", "GBP", "EUR"];

pub const ADDRESS_PURPOSES: [&str; 4] = ["Home", "Business", "Delivery", "Invoice"];

pub const CONTACT_KINDS: [&str; 3] = ["Email", "Phone", "URL"];

pub const AFFILIATIONS: [&str; 4] = ["Loyalty gold", "Loyalty silver", "Employee", "Student"];

/// Attribute names a customer may carry; their values are checked by name.
pub const ATTRIBUTES: [&str; 3] = ["Birthday", "Preferred store", "Marketing opt-in"];

/// What a form needs to offer and check its choices.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceData {
    /// (group id, description) of the customer groups the channel knows.
    pub customer_groups: Vec<(String, String)>,
    /// The group a new customer of this channel gets unless the cashier
    /// chooses another.
    pub default_customer_group: String,
}

impl ReferenceData {
    /// A new customer's draft with this channel's defaults chosen.
    pub fn blank_customer(&self) -> super::CustomerDraft {
        super::CustomerDraft {
            customer_group: self.default_customer_group.clone(),
            language: "en-us".to_string(),
            currency: "USD".to_string(),
            ..super::CustomerDraft::default()
        }
    }

    pub fn knows_customer_group(&self, group: &str) -> bool {
        self.customer_groups.iter().any(|(id, _)| id == group)
    }
}

pub fn is_country(code: &str) -> bool {
    COUNTRIES.iter().any(|(known, _)| *known == code)
}

pub fn is_language(code: &str) -> bool {
    LANGUAGES.iter().any(|(known, _)| *known == code)
}
