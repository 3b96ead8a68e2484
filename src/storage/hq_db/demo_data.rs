//! The demo company seeded into an empty HQ database on first start: the
//! four features (all off), three channels, customer groups, the customer
//! account number sequence and a dozen customers.

use super::sync_transaction::insert_customer;
use super::{HqDb, HqDbError};
use crate::domain::access::{Role, SignedInUser};
use crate::domain::customer::{AddressDraft, CustomerDraft};
use crate::domain::features::Feature;

/// (id, name, kind, default customer group, registers)
const CHANNELS: [(i64, &str, &str, &str, &[i64]); 3] = [
    (1, "Houston", "store", "30", &[1, 2]),
    (2, "Seattle", "store", "30", &[1]),
    (3, "Fabrikam online store", "online", "40", &[]),
];

const CUSTOMER_GROUPS: [(&str, &str); 5] = [
    ("10", "Wholesale customers"),
    ("20", "Major customers"),
    ("30", "Retail customers"),
    ("40", "Internet customers"),
    ("80", "Employees"),
];

/// (first name, last name, email, customer group)
const CUSTOMERS: [(&str, &str, &str, &str); 12] = [
    ("Karen", "Berg", "karen.berg@contoso.com", "30"),
    ("Jodi", "Christiansen", "jodi.christiansen@contoso.com", "30"),
    ("Dave", "French", "dave.french@contoso.com", "30"),
    ("Samantha", "Smith", "samantha.smith@contoso.com", "40"),
    ("Omar", "Haddad", "omar.haddad@contoso.com", "30"),
    ("Mei", "Chen", "mei.chen@contoso.com", "40"),
    ("Lucas", "Moreau", "lucas.moreau@contoso.com", "20"),
    ("Priya", "Natarajan", "priya.natarajan@contoso.com", "30"),
    ("Tomasz", "Nowak", "tomasz.nowak@contoso.com", "10"),
    ("Aiko", "Tanaka", "aiko.tanaka@contoso.com", "80"),
    ("Grace", "Okafor", "grace.okafor@contoso.com", "30"),
    ("Henrik", "Larsen", "henrik.larsen@contoso.com", "40"),
];

/// The demo users: one admin, one cashier per store, one shopper (whose
/// profile is Samantha Smith, C000004). Each has the password `custsync`.
pub const DEMO_PASSWORD: &str = "custsync";

pub fn demo_users() -> Vec<SignedInUser> {
    let user =
        |user_name: &str, display_name: &str, role, channel_id, profile_key: Option<&str>| SignedInUser {
            user_name: user_name.to_string(),
            display_name: display_name.to_string(),
            role,
            channel_id,
            profile_key: profile_key.map(str::to_string),
        };
    vec![
        user("admin", "Alicia Thomber", Role::Admin, None, None),
        user("houston", "Ken Sanchez", Role::Cashier, Some(1), None),
        user("seattle", "Terry Adams", Role::Cashier, Some(2), None),
        user("shopper", "Samantha Smith", Role::Shopper, None, Some("C000004")),
    ]
}

impl HqDb {
    /// Seeds the demo company when HQ has no features yet; returns whether it did.
    pub async fn seed_demo_data_if_empty(&self) -> Result<bool, HqDbError> {
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_write().await?;
            let features: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM features")
                .fetch_one(&mut *tx)
                .await?;
            if features > 0 {
                return Ok(false);
            }
            let now = sql.now();
            for (order, feature) in Feature::ALL.iter().enumerate() {
                sqlx::query(&format!(
                    "INSERT INTO features (name, sort_order, enabled, changed_at) VALUES ($1, $2, FALSE, {now})"
                ))
                .bind(feature.name())
                .bind(order as i64)
                .execute(&mut *tx)
                .await?;
            }
            for (group_id, description) in CUSTOMER_GROUPS {
                sqlx::query("INSERT INTO customer_groups (group_id, description) VALUES ($1, $2)")
                    .bind(group_id)
                    .bind(description)
                    .execute(&mut *tx)
                    .await?;
            }
            for (channel_id, name, kind, group, registers) in CHANNELS {
                sqlx::query(&format!(
                    "INSERT INTO channels (channel_id, name, kind, default_customer_group,
                                           create_customer_async_mode, changed_at)
                     VALUES ($1, $2, $3, $4, TRUE, {now})"
                ))
                .bind(channel_id)
                .bind(name)
                .bind(kind)
                .bind(group)
                .execute(&mut *tx)
                .await?;
                for register in registers {
                    sqlx::query("INSERT INTO registers (channel_id, register_number) VALUES ($1, $2)")
                        .bind(channel_id)
                        .bind(register)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            for (index, (first, last, email, group)) in CUSTOMERS.iter().enumerate() {
                let customer = demo_customer(index, first, last, email, group);
                let account = format!("C{:06}", index + 1);
                insert_customer(&mut *tx, sql, &account, &customer, None, None).await?;
            }
            sqlx::query(
                "INSERT INTO number_sequences (name, prefix, digits, next_number)
                 VALUES ('Customer account', 'C', 6, $1)",
            )
            .bind(CUSTOMERS.len() as i64 + 1)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }
}

/// A demo customer with one home address in one of the stores' cities.
fn demo_customer(index: usize, first: &str, last: &str, email: &str, group: &str) -> CustomerDraft {
    let (street, city, state, zip) = if index.is_multiple_of(2) {
        ("1200 Main St", "Houston", "TX", "77002")
    } else {
        ("400 Pine St", "Seattle", "WA", "98101")
    };
    CustomerDraft {
        first_name: first.to_string(),
        last_name: last.to_string(),
        email: email.to_string(),
        phone: format!("+1 555 010 {:04}", index + 1),
        customer_group: group.to_string(),
        language: "en-us".to_string(),
        currency: "USD".to_string(),
        addresses: vec![AddressDraft {
            name: "Home".to_string(),
            purpose: "Home".to_string(),
            street: street.to_string(),
            city: city.to_string(),
            state: state.to_string(),
            zip: zip.to_string(),
            country_region: "USA".to_string(),
            primary: true,
        }],
        ..CustomerDraft::default()
    }
}
