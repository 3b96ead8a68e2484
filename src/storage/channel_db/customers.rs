//! The channel's copy of HQ customers (written by job 1010 and by real-time
//! calls), and the search a cashier runs over it and the pending creates.

use std::collections::HashMap;

use sqlx::{FromRow, QueryBuilder, Sqlite, SqliteConnection};

use super::config::{CUSTOMERS, DownloadRun, check_download_run, record_download};
use super::{ChannelDb, ChannelDbError, to_json};
use crate::domain::customer::{
    AttributeDraft, ContactDraft, CustomerDraft, CustomerSearch, CustomerSummary, numbers_it_ends_with,
};
use crate::domain::records::CustomerRecord;
use crate::storage::staging_tables::{
    ADDRESS_COLUMNS, AddressColumns, CUSTOMER_COLUMNS, ChildTables, CustomerColumns, push_children_inserts,
    push_customer, push_multi_row_inserts, rows_per_insert,
};

#[derive(FromRow)]
struct CopyRow {
    account: String,
    row_version: i64,
    async_customer_id: Option<String>,
    last_async_operation_at: Option<String>,
    last_async_operation_id: Option<String>,
    settled_by_channel: Option<String>,
    #[sqlx(flatten)]
    customer: CustomerColumns,
}

/// A phone without the spaces, dashes, brackets and dots it was written
/// with, as a search by its digits reads it.
pub(super) const PHONE_DIGITS: &str = "replace(replace(replace(replace(replace(replace(phone, ' ', ''), '+', ''), '-', ''), \
                            '(', ''), ')', ''), '.', '')";

const NAME: &str =
    "CASE WHEN party_type = 'organization' THEN organization_name ELSE first_name || ' ' || last_name END";

impl ChannelDb {
    /// Writes HQ customers whole (addresses, contacts, affiliations,
    /// attributes), from a real-time call, into the channel copy, each
    /// replaced whole, in one transaction.
    pub async fn save_customers(&self, customers: &[CustomerRecord]) -> Result<u64, ChannelDbError> {
        let mut tx = self.pools.begin_write().await?;
        write_copies(&mut tx, customers).await?;
        tx.commit().await?;
        Ok(customers.len() as u64)
    }

    /// Writes a batch of job 1010's `run` into the channel copy, as
    /// `save_customers` does, with the row version the run brings the copy
    /// to when it is its last; refused once another run of 1010 has begun.
    pub async fn save_downloaded_customers(
        &self,
        run: DownloadRun,
        customers: &[CustomerRecord],
        row_version: Option<i64>,
    ) -> Result<u64, ChannelDbError> {
        let mut tx = self.pools.begin_write().await?;
        check_download_run(&mut tx, run).await?;
        if let Some(row_version) = row_version {
            record_download(&mut tx, CUSTOMERS, row_version).await?;
        }
        write_copies(&mut tx, customers).await?;
        tx.commit().await?;
        Ok(customers.len() as u64)
    }

    pub async fn count_customers(&self) -> Result<i64, ChannelDbError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM customers")
            .fetch_one(&self.pools.read)
            .await?)
    }

    /// A customer of the copy, found by its account or by the temporary id
    /// it had before it was synced.
    pub async fn copied_customer(&self, key: &str) -> Result<Option<CustomerRecord>, ChannelDbError> {
        // One snapshot: a run of job 1010 replacing the customer meanwhile
        // shows it as before or as after, never a mix.
        let mut tx = self.pools.begin_read().await?;
        let row: Option<CopyRow> = sqlx::query_as(&format!(
            "SELECT account, row_version, async_customer_id, last_async_operation_at, last_async_operation_id,
                    settled_by_channel, {CUSTOMER_COLUMNS}
             FROM customers WHERE account = ? OR async_customer_id = ?"
        ))
        .bind(key)
        .bind(key)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let addresses: Vec<AddressColumns> = sqlx::query_as(&format!(
            "SELECT {ADDRESS_COLUMNS} FROM customer_addresses WHERE account = ? ORDER BY line"
        ))
        .bind(&row.account)
        .fetch_all(&mut *tx)
        .await?;
        let contacts: Vec<(String, String, bool)> = sqlx::query_as(
            "SELECT contact_type, value, is_primary FROM customer_contacts WHERE account = ? ORDER BY line",
        )
        .bind(&row.account)
        .fetch_all(&mut *tx)
        .await?;
        let affiliations: Vec<String> = sqlx::query_scalar(
            "SELECT affiliation FROM customer_affiliations WHERE account = ? ORDER BY line",
        )
        .bind(&row.account)
        .fetch_all(&mut *tx)
        .await?;
        let attributes: Vec<(String, String)> =
            sqlx::query_as("SELECT name, value FROM customer_attributes WHERE account = ? ORDER BY line")
                .bind(&row.account)
                .fetch_all(&mut *tx)
                .await?;
        tx.commit().await?;
        let mut customer = row.customer.into_draft();
        customer.addresses = addresses.into_iter().map(AddressColumns::into_draft).collect();
        customer.contacts = contacts
            .into_iter()
            .map(|(kind, value, primary)| ContactDraft { kind, value, primary })
            .collect();
        customer.affiliations = affiliations;
        customer.attributes = attributes
            .into_iter()
            .map(|(name, value)| AttributeDraft { name, value })
            .collect();
        Ok(Some(CustomerRecord {
            account: row.account,
            async_customer_id: row.async_customer_id,
            last_async_operation_at: row.last_async_operation_at,
            last_async_operation_id: row.last_async_operation_id,
            settled_by_channel: row.settled_by_channel,
            row_version: row.row_version,
            customer,
        }))
    }

    /// Customers of the copy and creates still pending sync whose name,
    /// email, phone, account or temporary id contains `term` in any case,
    /// or whose phone has its digits (`CustomerSearch`) or is the end of
    /// the number typed (`numbers_it_ends_with`).
    pub async fn search_customers(
        &self,
        term: &str,
        limit: u32,
    ) -> Result<Vec<CustomerSummary>, ChannelDbError> {
        let search = CustomerSearch::new(term);
        let matches = |id_column: &str| {
            format!(
                "({NAME} REGEXP ?1 OR email REGEXP ?1 OR phone REGEXP ?1 OR {id_column} REGEXP ?1
                  OR {PHONE_DIGITS} LIKE ?3 OR {PHONE_DIGITS} IN (SELECT value FROM json_each(?4)))"
            )
        };
        let sql = format!(
            "SELECT account, async_customer_id AS temporary_id, {NAME} AS name, email, phone, 1 AS synced
             FROM customers
             WHERE {copy_matches} OR async_customer_id REGEXP ?1
             UNION ALL
             SELECT NULL, temporary_id, {NAME}, email, phone, 0
             FROM RETAILASYNCCUSTOMERV2 o
             WHERE operation = 'create'
               AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.async_customer_id = o.temporary_id)
               AND {staged_matches}
             ORDER BY synced, name
             LIMIT ?2",
            copy_matches = matches("account"),
            staged_matches = matches("temporary_id"),
        );
        Ok(sqlx::query_as(&sql)
            .bind(search.pattern)
            .bind(limit)
            // NULL, which matches nothing, when the term is not a phone number.
            .bind(search.phone_digits.as_ref().map(|digits| format!("%{digits}%")))
            .bind(to_json(
                &search
                    .phone_digits
                    .as_deref()
                    .map(numbers_it_ends_with)
                    .unwrap_or_default(),
            )?)
            .fetch_all(&self.pools.read)
            .await?)
    }
}

/// Replaces the copies of `customers` whole, in the caller's transaction.
async fn write_copies(tx: &mut SqliteConnection, customers: &[CustomerRecord]) -> Result<(), ChannelDbError> {
    let customers = not_older_than_the_copy(tx, customers).await?;
    let mut batch = QueryBuilder::new("");
    push_copy_writes(&mut batch, &customers);
    // Not kept prepared: a batch of 1010 is a few statements of thousands
    // of rows each, which sqlx would keep compiled in the connection's
    // statement cache (about 7 MiB of peak memory in the bench).
    if !batch.sql().is_empty() {
        batch.build().persistent(false).execute(&mut *tx).await?;
    }
    Ok(())
}

/// Those of `customers` the copy holds no newer version of: a real-time
/// call writes its customer back at once, while a run of job 1010 may hold
/// a batch it read before that change.
async fn not_older_than_the_copy<'a>(
    tx: &mut SqliteConnection,
    customers: &'a [CustomerRecord],
) -> Result<Vec<&'a CustomerRecord>, ChannelDbError> {
    let accounts: Vec<&str> = customers.iter().map(|record| record.account.as_str()).collect();
    let accounts = serde_json::to_string(&accounts).map_err(|error| sqlx::Error::Encode(error.into()))?;
    let held: HashMap<String, i64> = sqlx::query_as(
        "SELECT c.account, c.row_version FROM json_each(?) j JOIN customers c ON c.account = j.value",
    )
    .bind(accounts)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    Ok(customers
        .iter()
        .filter(|record| {
            held.get(&record.account)
                .is_none_or(|held| record.row_version >= *held)
        })
        .collect())
}

/// Where the copy keeps its customers' rows, each named by its account.
const COPY_CHILD_TABLES: ChildTables = ChildTables {
    key: "account",
    addresses: "customer_addresses",
    contacts: "customer_contacts",
    affiliations: "customer_affiliations",
    attributes: "customer_attributes",
};

/// Appends the statements that replace `customers` in the copy whole:
/// their addresses, contacts, affiliations and attributes deleted, then one
/// multi-row insert per table, sent to SQLite's thread as one batch (a
/// batch of job 1010 holds the channel's writer, and every cashier's save,
/// while it is written).
fn push_copy_writes<'a>(batch: &mut QueryBuilder<'a, Sqlite>, customers: &'a [&'a CustomerRecord]) {
    let ChildTables {
        addresses,
        contacts,
        affiliations,
        attributes,
        ..
    } = COPY_CHILD_TABLES;
    for chunk in customers.chunks(rows_per_insert(1)) {
        for table in [addresses, contacts, affiliations, attributes] {
            batch.push(format!("DELETE FROM {table} WHERE account IN ("));
            let mut accounts = batch.separated(", ");
            for record in chunk {
                accounts.push_bind(record.account.clone());
            }
            batch.push("); ");
        }
    }
    let head = format!(
        "INSERT OR REPLACE INTO customers
            (account, row_version, async_customer_id, last_async_operation_at, last_async_operation_id,
             settled_by_channel, downloaded_at, {CUSTOMER_COLUMNS}) "
    );
    push_multi_row_inserts(batch, &head, customers, 16, |mut row, record| {
        row.push_bind(record.account.clone())
            .push_bind(record.row_version)
            .push_bind(record.async_customer_id.clone())
            .push_bind(record.last_async_operation_at.clone())
            .push_bind(record.last_async_operation_id.clone())
            .push_bind(record.settled_by_channel.clone())
            .push("strftime('%Y-%m-%dT%H:%M:%fZ', 'now')");
        push_customer(&mut row, &record.customer);
    });
    let by_account: Vec<(&str, &CustomerDraft)> = customers
        .iter()
        .map(|record| (record.account.as_str(), &record.customer))
        .collect();
    push_children_inserts(batch, &COPY_CHILD_TABLES, &by_account);
}
