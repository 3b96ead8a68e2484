//! The customers every figure creates: one address and one contact each,
//! unique emails, valid for the demo company's channels.

use custsync::domain::customer::{AddressDraft, ContactDraft, CustomerDraft};

/// The Seattle store's first register, as the POS names it.
pub const REGISTER_KEY: &str = "2-1";
/// The demo cashier of that register's store (Seattle).
pub const CASHIER: &str = "seattle";
pub const CHANNEL_ID: i64 = 2;
pub const REGISTER_NUMBER: i64 = 1;

/// The `n`-th customer of a run tagged `run`.
pub fn customer(run: &str, n: usize) -> CustomerDraft {
    CustomerDraft {
        first_name: "Bench".into(),
        last_name: format!("Customer {n}"),
        email: format!("bench.{run}.{n}@example.com"),
        phone: format!("+1 206 555 {:04}", n % 10_000),
        customer_group: "30".into(),
        language: "en-us".into(),
        currency: "USD".into(),
        addresses: vec![AddressDraft {
            name: "Home".into(),
            purpose: "Home".into(),
            street: format!("{n} Pine St"),
            city: "Seattle".into(),
            state: "WA".into(),
            zip: "98101".into(),
            country_region: "USA".into(),
            primary: true,
        }],
        contacts: vec![ContactDraft {
            kind: "Email".into(),
            value: format!("bench.{run}.{n}@example.com"),
            primary: true,
        }],
        ..CustomerDraft::default()
    }
}

/// A temporary id in the shape the channel gives them.
pub fn temporary_id(run: usize, n: usize) -> String {
    format!("00000000-{run:04}-4000-8000-{n:012}")
}
