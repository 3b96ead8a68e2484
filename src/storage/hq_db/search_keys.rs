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
    let [first_name, last_name, organization] = name_keys(customer);
    [
        fold_case(&customer.email),
        first_name,
        last_name,
        organization,
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
        until_none_left(|| self.refold_customer_keys_batch()).await
    }

    async fn refold_customer_keys_batch(&self) -> Result<u64, HqDbError> {
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
                set = set_from_document(NAME_KEY_COLUMNS),
                rows = sql.json_rows(),
            ))
            .bind(keys_document(listed.iter().filter_map(customer_keys)))
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
        until_none_left(|| self.refold_search_keys_batch()).await
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
            let keyed = keys_document(listed.iter().filter_map(operation_keys));
            sqlx::query(&format!(
                "UPDATE RETAILASYNCCUSTOMERV2 SET {set}
                 FROM {rows} WHERE RETAILASYNCCUSTOMERV2.id = CAST(j.value ->> 'id' AS BIGINT)",
                set = set_from_document(SEARCH_KEY_COLUMNS),
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

/// Runs `batch` until it keys none, and how many it keyed in all.
async fn until_none_left<Batch>(mut batch: impl FnMut() -> Batch) -> Result<u64, HqDbError>
where
    Batch: std::future::Future<Output = Result<u64, HqDbError>>,
{
    let mut refolded = 0;
    loop {
        let folded = batch().await?;
        if folded == 0 {
            return Ok(refolded);
        }
        refolded += folded;
    }
}

/// The SET clause that writes `columns` from the document's row `j`.
fn set_from_document(columns: &str) -> String {
    columns
        .split(", ")
        .map(|column| format!("{column} = j.value ->> '{column}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows' keys as a JSON array of objects, each row's keys by their
/// columns' names beside what finds the row.
fn keys_document(rows: impl Iterator<Item = serde_json::Map<String, serde_json::Value>>) -> String {
    serde_json::Value::Array(rows.map(serde_json::Value::Object).collect()).to_string()
}

/// `keys` by their `columns`' names, with the row's `key` named `key_name`.
fn keyed_by_columns(
    columns: &str,
    keys: impl IntoIterator<Item = String>,
    key_name: &str,
    key: serde_json::Value,
) -> serde_json::Map<String, serde_json::Value> {
    let mut keyed: serde_json::Map<String, serde_json::Value> = columns
        .split(", ")
        .zip(keys)
        .map(|(column, key)| (column.to_string(), key.into()))
        .collect();
    keyed.insert(key_name.to_string(), key);
    keyed
}

/// An operation's search keys and its id; none when it is no longer there.
fn operation_keys(
    (id, email, first_name, last_name, organization_name, phone): &ListedOperation,
) -> Option<serde_json::Map<String, serde_json::Value>> {
    let customer = CustomerDraft {
        email: email.clone()?,
        first_name: first_name.clone()?,
        last_name: last_name.clone()?,
        organization_name: organization_name.clone()?,
        phone: phone.clone()?,
        ..CustomerDraft::default()
    };
    Some(keyed_by_columns(
        SEARCH_KEY_COLUMNS,
        search_keys(&customer),
        "id",
        (*id).into(),
    ))
}

/// A customer's name keys and its account; none when it is no longer there.
fn customer_keys(
    (account, first_name, last_name, organization_name): &ListedCustomer,
) -> Option<serde_json::Map<String, serde_json::Value>> {
    let customer = CustomerDraft {
        first_name: first_name.clone()?,
        last_name: last_name.clone()?,
        organization_name: organization_name.clone()?,
        ..CustomerDraft::default()
    };
    Some(keyed_by_columns(
        NAME_KEY_COLUMNS,
        name_keys(&customer),
        "account",
        account.clone().into(),
    ))
}
