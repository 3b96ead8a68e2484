//! Customer accounts as HQ's Customers page lists them and a customer's page shows one.

use serde::{Deserialize, Serialize};

use crate::domain::customer::{CustomerDraft, country_name, fold_case, group_caption};

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

/// The longest term Find on HQ Customers reads; the rest is left out.
pub const MAX_CUSTOMER_SEARCH: usize = 100;

/// What Find on HQ Customers looks for: the account the term names, as HQ
/// writes accounts (capitals); the customers whose email starts with it, in
/// any case; those whose first, last or organization name starts with it,
/// whatever the case of its letters and their marks (`fold_case`); and,
/// for two words or more, those whose first name starts with the first and
/// last name with the rest ("karen ber").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HqCustomerSearch {
    pub account: String,
    pub email_start: String,
    pub name_start: String,
    pub full_name: Option<(String, String)>,
}

impl HqCustomerSearch {
    /// The search for what the admin typed (its first
    /// `MAX_CUSTOMER_SEARCH` characters); none for a blank term.
    pub fn from_term(term: &str) -> Option<HqCustomerSearch> {
        let term = search_term(term);
        if term.is_empty() {
            return None;
        }
        let name_start = fold_case(&term);
        let full_name = name_start
            .split_once(char::is_whitespace)
            .map(|(first, last)| (first.to_string(), last.trim_start().to_string()));
        Some(HqCustomerSearch {
            account: term.to_ascii_uppercase(),
            email_start: term.to_ascii_lowercase(),
            name_start,
            full_name,
        })
    }
}

/// The part of what the admin typed that Find reads.
pub fn search_term(typed: &str) -> String {
    typed.trim().chars().take(MAX_CUSTOMER_SEARCH).collect()
}

/// HQ Customers: the newest accounts, or those Find found, and how many
/// customers HQ has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HqCustomerList {
    pub rows: Vec<HqCustomerRow>,
    /// Whether more customers than `rows` match.
    pub more: bool,
    /// How many customers HQ has, counted for the list of the newest only.
    pub total: Option<i64>,
}

/// One customer as its page in HQ shows it: its fields, addresses and
/// contacts, where it came from, and the asynchronous operations that made
/// and last changed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HqCustomerDetail {
    pub account: String,
    pub customer: CustomerDraft,
    pub customer_group_caption: String,
    pub created_at: String,
    /// The channel whose asynchronous create made it; none for a customer
    /// made in HQ or by a real-time call.
    pub source_channel: Option<String>,
    /// The temporary id of the asynchronous create that made it, which is
    /// also that operation's id on the status page.
    pub async_customer_id: Option<String>,
    /// The newest asynchronous operation HQ applied to it.
    pub last_async_operation_id: Option<String>,
    pub loyalty_card: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_looks_for_accounts_in_capitals_emails_in_small_letters_and_names_folded() {
        assert_eq!(
            HqCustomerSearch::from_term("  Sam.Smith@Contoso "),
            Some(HqCustomerSearch {
                account: "SAM.SMITH@CONTOSO".to_string(),
                email_start: "sam.smith@contoso".to_string(),
                name_start: "sam.smith@contoso".to_string(),
                full_name: None,
            })
        );
        assert_eq!(
            HqCustomerSearch::from_term("c000004").map(|s| s.account),
            Some("C000004".to_string())
        );
        assert_eq!(
            HqCustomerSearch::from_term("MÜLLER").map(|s| s.name_start),
            Some("muller".to_string())
        );
    }

    #[test]
    fn two_words_are_a_first_name_and_the_start_of_a_last_name() {
        let search = HqCustomerSearch::from_term("Karen  Van Ber").expect("a search");
        assert_eq!(
            search.full_name,
            Some(("karen".to_string(), "van ber".to_string()))
        );
    }

    #[test]
    fn a_blank_search_is_none_and_a_long_one_is_cut() {
        assert_eq!(HqCustomerSearch::from_term("   "), None);
        let long = "a".repeat(MAX_CUSTOMER_SEARCH + 20);
        let search = HqCustomerSearch::from_term(&long).map(|s| s.email_start);
        assert_eq!(search.map(|s| s.chars().count()), Some(MAX_CUSTOMER_SEARCH));
    }
}
