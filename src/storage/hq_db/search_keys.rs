//! The keys the status page searches by (migrations/hq/0026_search_keys.sql,
//! 0027_phone_key.sql, 0028_search_keys_without_marks.sql): the names and
//! emails folded, the phone's digits from the last; each operation's,
//! written with it, and those of the operations an earlier HQ stored, made
//! once when HQ opens.

use super::{HqDb, HqDbError};
use crate::domain::customer::{CustomerDraft, CustomerField, fold_case, phone_key};

/// The keys' columns, in the order of `search_keys`.
pub const SEARCH_KEY_COLUMNS: &str = "email_key, first_name_key, last_name_key, organization_key, phone_key";

/// The customer's search keys, in the order of `SEARCH_KEY_COLUMNS`.
pub fn search_keys(customer: &CustomerDraft) -> [String; 5] {
    [
        fold_case(&customer.email),
        fold_case(&customer.first_name),
        fold_case(&customer.last_name),
        fold_case(&customer.organization_name),
        phone_key(&customer.phone),
    ]
}

/// The keys HQ's customers keep beside their names for Find on HQ
/// Customers (migrations/hq/0029_customer_name_keys.sql), in the order of
/// `name_keys`; the operations' keys of the same names (`search_keys`).
pub const NAME_KEY_COLUMNS: &str = "first_name_key, last_name_key, organization_key";

/// The customer's name keys, in the order of `NAME_KEY_COLUMNS`.
pub fn name_keys(customer: &CustomerDraft) -> [String; 3] {
    [
        fold_case(&customer.first_name),
        fold_case(&customer.last_name),
        fold_case(&customer.organization_name),
    ]
}

/// The key column a customer's name field has beside it; none for another
/// field.
pub fn name_key_column(field: CustomerField) -> Option<&'static str> {
    match field {
        CustomerField::FirstName => Some("first_name_key"),
        CustomerField::LastName => Some("last_name_key"),
        CustomerField::OrganizationName => Some("organization_key"),
        _ => None,
    }
}

/// Operations keyed a write transaction, so that a large HQ's first start
/// does not hold its writer for long at a time.
const REFOLD_BATCH: i64 = 1_000;

/// An operation listed for its keys: its id, then its email, first name,
/// last name, organization and phone (none when it is no longer there).
type ListedOperation = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A customer listed for its name keys: its account, then its first, last
/// and organization names (none when it is no longer there).
type ListedCustomer = (String, Option<String>, Option<String>, Option<String>);

impl HqDb {
    /// Makes the name keys of the customers the migrations listed (those
    /// with letters outside A to Z, which their `lower()` left as they
    /// were), a batch a transaction and one statement a batch, until the
    /// list is empty. How many it keyed.
    pub(super) async fn refold_customer_keys(&self) -> Result<u64, HqDbError> {
        let mut refolded = 0;
        loop {
            let folded = self.refold_customer_keys_batch().await?;
            if folded == 0 {
                return Ok(refolded);
            }
            refolded += folded;
        }
    }

    async fn refold_customer_keys_batch(&self) -> Result<u64, HqDbError> {
        let set: Vec<String> = NAME_KEY_COLUMNS
            .split(", ")
            .map(|column| format!("{column} = j.value ->> '{column}'"))
            .collect();
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_write().await?;
            let listed: Vec<ListedCustomer> = sqlx::query_as(
                "SELECT r.account, c.first_name, c.last_name, c.organization_name
                 FROM customer_keys_to_refold r LEFT JOIN customers c ON c.account = r.account
                 ORDER BY r.account LIMIT $1",
            )
            .bind(REFOLD_BATCH)
            .fetch_all(&mut *tx)
            .await?;
            let Some((last, ..)) = listed.last() else {
                return Ok(0);
            };
            sqlx::query(&format!(
                "UPDATE customers SET {set}
                 FROM {rows} WHERE customers.account = j.value ->> 'account'",
                set = set.join(", "),
                rows = sql.json_rows(),
            ))
            .bind(customer_keys_document(&listed))
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM customer_keys_to_refold WHERE account <= $1")
                .bind(last)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(listed.len() as u64)
        })
    }

    /// Makes the search keys of the operations the migrations listed (those
    /// with letters outside A to Z, which their `lower()` left as they were,
    /// and those with a phone), a batch a transaction and one statement a
    /// batch, until the list is empty. How many it keyed.
    pub(super) async fn refold_search_keys(&self) -> Result<u64, HqDbError> {
        let listed: i64 = on_engine!(self, |pools, sql| sqlx::query_scalar(
            "SELECT COUNT(*) FROM search_keys_to_refold"
        )
        .fetch_one(&pools.read)
        .await?);
        if listed > 0 {
            tracing::info!(
                "making the search keys of {listed} operations an earlier HQ stored; HQ opens once done"
            );
        }
        let mut refolded = 0;
        loop {
            let folded = self.refold_search_keys_batch().await?;
            if folded == 0 {
                return Ok(refolded);
            }
            refolded += folded;
        }
    }

    async fn refold_search_keys_batch(&self) -> Result<u64, HqDbError> {
        on_engine!(self, |pools, sql| {
            let mut tx = pools.begin_write().await?;
            let listed: Vec<ListedOperation> = sqlx::query_as(
                "SELECT r.operation_id, o.email, o.first_name, o.last_name, o.organization_name, o.phone
                 FROM search_keys_to_refold r LEFT JOIN RETAILASYNCCUSTOMERV2 o ON o.id = r.operation_id
                 ORDER BY r.operation_id LIMIT $1",
            )
            .bind(REFOLD_BATCH)
            .fetch_all(&mut *tx)
            .await?;
            let Some(&(last, ..)) = listed.last() else {
                return Ok(0);
            };
            let keyed = keys_document(&listed);
            let set: Vec<String> = SEARCH_KEY_COLUMNS
                .split(", ")
                .map(|column| format!("{column} = j.value ->> '{column}'"))
                .collect();
            sqlx::query(&format!(
                "UPDATE RETAILASYNCCUSTOMERV2 SET {set}
                 FROM {rows} WHERE RETAILASYNCCUSTOMERV2.id = CAST(j.value ->> 'id' AS BIGINT)",
                set = set.join(", "),
                rows = sql.json_rows(),
            ))
            .bind(keyed)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM search_keys_to_refold WHERE operation_id <= $1")
                .bind(last)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(listed.len() as u64)
        })
    }
}

/// The keys of the operations still there, as a JSON array of objects:
/// each operation's id and its keys by their columns' names.
fn keys_document(listed: &[ListedOperation]) -> String {
    let keyed: Vec<serde_json::Value> = listed
        .iter()
        .filter_map(|(id, email, first_name, last_name, organization_name, phone)| {
            let customer = CustomerDraft {
                email: email.clone()?,
                first_name: first_name.clone()?,
                last_name: last_name.clone()?,
                organization_name: organization_name.clone()?,
                phone: phone.clone()?,
                ..CustomerDraft::default()
            };
            let mut keys: serde_json::Map<String, serde_json::Value> = SEARCH_KEY_COLUMNS
                .split(", ")
                .zip(search_keys(&customer))
                .map(|(column, key)| (column.to_string(), key.into()))
                .collect();
            keys.insert("id".to_string(), (*id).into());
            Some(keys.into())
        })
        .collect();
    serde_json::Value::Array(keyed).to_string()
}

/// The name keys of the customers still there, as a JSON array of objects:
/// each customer's account and its keys by their columns' names.
fn customer_keys_document(listed: &[ListedCustomer]) -> String {
    let keyed: Vec<serde_json::Value> = listed
        .iter()
        .filter_map(|(account, first_name, last_name, organization_name)| {
            let customer = CustomerDraft {
                first_name: first_name.clone()?,
                last_name: last_name.clone()?,
                organization_name: organization_name.clone()?,
                ..CustomerDraft::default()
            };
            let mut keys: serde_json::Map<String, serde_json::Value> = NAME_KEY_COLUMNS
                .split(", ")
                .zip(name_keys(&customer))
                .map(|(column, key)| (column.to_string(), key.into()))
                .collect();
            keys.insert("account".to_string(), account.clone().into());
            Some(keys.into())
        })
        .collect();
    serde_json::Value::Array(keyed).to_string()
}
