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

    /// A group as a person reads it, "30 Retail customers", as the forms
    /// offer it; a group the channel does not know, by its id alone.
    pub fn customer_group_caption(&self, group: &str) -> String {
        match self.customer_groups.iter().find(|(id, _)| id == group) {
            Some((id, description)) => group_caption(id, description),
            None => group.to_string(),
        }
    }
}

/// A customer group's id and description, as the forms offer it.
pub fn group_caption(id: &str, description: &str) -> String {
    format!("{id} {description}")
}

/// The name `list` gives `code`, if it lists it.
fn name_in(list: &[(&str, &'static str)], code: &str) -> Option<&'static str> {
    list.iter()
        .find(|(known, _)| *known == code)
        .map(|(_, name)| *name)
}

/// A language's name, "English (United States)"; a code the product does
/// not list, as it is.
pub fn language_name(code: &str) -> String {
    name_in(&LANGUAGES, code).unwrap_or(code).to_string()
}

/// A country's or region's name; a code the product does not list, as it is.
pub fn country_name(code: &str) -> String {
    name_in(&COUNTRIES, code).unwrap_or(code).to_string()
}

pub fn is_country(code: &str) -> bool {
    name_in(&COUNTRIES, code).is_some()
}

pub fn is_language(code: &str) -> bool {
    name_in(&LANGUAGES, code).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_is_named_with_its_description_when_the_channel_knows_it() {
        let reference = ReferenceData {
            customer_groups: vec![("30".into(), "Retail customers".into())],
            default_customer_group: "30".into(),
        };
        assert_eq!(reference.customer_group_caption("30"), "30 Retail customers");
        assert_eq!(reference.customer_group_caption("99"), "99");
    }

    #[test]
    fn languages_and_countries_are_named_and_unknown_codes_shown_as_they_are() {
        assert_eq!(language_name("en-us"), "English (United States)");
        assert_eq!(language_name("xx"), "xx");
        assert_eq!(country_name("CAN"), "Canada");
        assert_eq!(country_name("ZZZ"), "ZZZ");
    }
}
