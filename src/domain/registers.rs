//! The POS registers of a store, and the key that names one in a URL or a
//! form.

use serde::{Deserialize, Serialize};

use crate::domain::access::encode_query_value;
use crate::domain::status_page::encode_component;

/// A register a cashier can open, with its store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct RegisterOption {
    pub channel_id: i64,
    pub channel_name: String,
    pub register_number: i64,
}

impl RegisterOption {
    /// The value that names this register in a URL or a form: `1-2` is
    /// register 2 of channel 1.
    pub fn key(&self) -> String {
        format!("{}-{}", self.channel_id, self.register_number)
    }

    pub fn caption(&self) -> String {
        format!("{}, register {}", self.channel_name, self.register_number)
    }

    /// The POS at this register, searching for `term` (nothing: no search).
    pub fn search_url(&self, term: &str) -> String {
        let term = term.trim();
        if term.is_empty() {
            format!("/pos?register={}", self.key())
        } else {
            format!("/pos?register={}&q={}", self.key(), encode_query_value(term))
        }
    }
}

/// The POS page of the customer `key` at the register `register`, both
/// percent-encoded: a redirect's `Location` names what a request sent, and
/// a header cannot hold a line break.
pub fn pos_customer_path(key: &str, register: &str) -> String {
    format!(
        "/pos/customers/{}?register={}",
        encode_component(key),
        encode_component(register)
    )
}

/// The longest register key a request may name.
pub const MAX_REGISTER_KEY: usize = 24;

/// The channel and register number a register key names.
pub fn parse_register_key(key: &str) -> Option<(i64, i64)> {
    let (channel, register) = key.split_once('-')?;
    Some((channel.parse().ok()?, register.parse().ok()?))
}

/// Where the customer is served: a register of a store, or the online store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Register { channel_id: i64, register_number: i64 },
    OnlineStore,
}

impl Origin {
    /// The origin a page names: a register key such as `1-2`, or none for
    /// the online store.
    /// None when the key names no register.
    pub fn from_register_key(register: Option<&str>) -> Option<Origin> {
        match register {
            None => Some(Origin::OnlineStore),
            Some(key) => parse_register_key(key).map(|(channel_id, register_number)| Origin::Register {
                channel_id,
                register_number,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_page_names_its_key_and_register_percent_encoded() {
        assert_eq!(
            pos_customer_path("C000001", "1-1"),
            "/pos/customers/C000001?register=1-1"
        );
        assert_eq!(
            pos_customer_path("C000001\n", "1-1\r"),
            "/pos/customers/C000001%0A?register=1-1%0D"
        );
        assert_eq!(
            pos_customer_path("a/b?c#d e", "1-1"),
            "/pos/customers/a%2Fb%3Fc%23d%20e?register=1-1"
        );
    }

    #[test]
    fn register_keys_round_trip() {
        let register = RegisterOption {
            channel_id: 1,
            channel_name: "Houston".into(),
            register_number: 2,
        };
        assert_eq!(register.key(), "1-2");
        assert_eq!(parse_register_key(&register.key()), Some((1, 2)));
        assert_eq!(register.caption(), "Houston, register 2");
    }

    #[test]
    fn a_search_url_keeps_the_register_and_encodes_the_term() {
        let register = RegisterOption {
            channel_id: 1,
            channel_name: "Houston".into(),
            register_number: 2,
        };
        assert_eq!(register.search_url("  "), "/pos?register=1-2");
        assert_eq!(
            register.search_url(" Ann & Bo "),
            "/pos?register=1-2&q=Ann%20%26%20Bo"
        );
        assert_eq!(register.search_url("a=b#c"), "/pos?register=1-2&q=a%3Db%23c");
    }

    #[test]
    fn malformed_register_keys_are_refused() {
        for bad in ["", "1", "1-", "-2", "a-b", "1-2-3"] {
            assert_eq!(parse_register_key(bad), None, "{bad}");
        }
    }
}
