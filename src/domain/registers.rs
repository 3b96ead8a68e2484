//! The POS registers of a store, and the key that names one in a URL or a
//! form.

use serde::{Deserialize, Serialize};

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
}

/// The longest register key a request may name.
pub const MAX_REGISTER_KEY: usize = 24;

/// The channel and register number a register key names.
pub fn parse_register_key(key: &str) -> Option<(i64, i64)> {
    let (channel, register) = key.split_once('-')?;
    Some((channel.parse().ok()?, register.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn malformed_register_keys_are_refused() {
        for bad in ["", "1", "1-", "-2", "a-b", "1-2-3"] {
            assert_eq!(parse_register_key(bad), None, "{bad}");
        }
    }
}
