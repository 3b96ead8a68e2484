//! HQ customers: the list admins read, one customer whole, and the rows job
//! 1010 sends to the channels.

use std::collections::HashMap;

use sqlx::FromRow;

use super::{HqDb, HqDbError};
use crate::domain::customer::{AttributeDraft, ContactDraft, CustomerDraft, fold_case, group_caption};
use crate::domain::hq_customers::{HqCustomerDetail, HqCustomerRow, HqCustomerSearch};
use crate::domain::records::CustomerRecord;
use crate::storage::staging_tables::{ADDRESS_COLUMNS, AddressColumns, CUSTOMER_COLUMNS, CustomerColumns};

#[derive(FromRow)]
pub(super) struct CustomerRow {
    pub(super) account: String,
    pub(super) row_version: i64,
    async_customer_id: Option<String>,
    last_async_operation_at: Option<String>,
    last_async_operation_id: Option<String>,
    settled_by_channel: String,
    #[sqlx(flatten)]
    customer: CustomerColumns,
}

#[derive(FromRow)]
pub(super) struct AddressRow {
    account: String,
    #[sqlx(flatten)]
    address: AddressColumns,
}

/// The columns of `HqDb::customer_list`; `$1` is its length.
const CUSTOMER_LIST: &str = "SELECT c.account,
        CASE WHEN c.party_type = 'organization' THEN c.organization_name
             ELSE c.first_name || ' ' || c.last_name END AS name,
        c.email, c.phone, c.customer_group, g.description AS customer_group_description, c.created_at,
        ch.name AS source_channel, c.async_customer_id,
        (SELECT a.street || ', ' || a.city || ' ' || a.zip
         FROM customer_addresses a WHERE a.account = c.account AND a.is_primary = TRUE) AS primary_address,
        (SELECT a.country_region
         FROM customer_addresses a WHERE a.account = c.account AND a.is_primary = TRUE) AS primary_country,
        (SELECT COUNT(*) FROM customer_addresses a WHERE a.account = c.account) AS address_count,
        (SELECT l.card_number FROM loyalty_cards l WHERE l.account = c.account) AS loyalty_card
 FROM customers c LEFT JOIN channels ch ON ch.channel_id = c.source_channel_id
      LEFT JOIN customer_groups g ON g.group_id = c.customer_group";

/// `HqDb::customer_list`'s search: the account `$2`, and the newest `$1`
/// customers whose email (in small letters) is from `$3` up to `$4`, whose
/// first, last or organization name's key is from `$5` up to `$6`, or,
/// for a full name (`BY_FULL_NAME`), whose first name's key is from `$7`
/// up to `$8` and last name's from `$9` up to `$10`. Each branch reads an index, and only
/// the accounts of its newest, so that a short start reads keys only, not
/// whole customers.
const SEARCHED: &str = "
 WHERE c.account IN (SELECT account FROM customers WHERE account = $2
                     UNION SELECT account FROM (SELECT account FROM customers
                                                WHERE lower(email) >= $3 AND lower(email) < $4
                                                ORDER BY length(account) DESC, account DESC LIMIT $1) AS by_email
                     UNION SELECT account FROM (SELECT account FROM customers
                                                WHERE first_name_key >= $5 AND first_name_key < $6
                                                  AND first_name_key <> ''
                                                ORDER BY length(account) DESC, account DESC LIMIT $1) AS by_first_name
                     UNION SELECT account FROM (SELECT account FROM customers
                                                WHERE last_name_key >= $5 AND last_name_key < $6
                                                  AND last_name_key <> ''
                                                ORDER BY length(account) DESC, account DESC LIMIT $1) AS by_last_name
                     UNION SELECT account FROM (SELECT account FROM customers
                                                WHERE organization_key >= $5 AND organization_key < $6
                                                  AND organization_key <> ''
                                                ORDER BY length(account) DESC, account DESC LIMIT $1) AS by_organization";

/// `SEARCHED`'s branch for a full name, and the end of the search.
const BY_FULL_NAME: &str = "
                     UNION SELECT account FROM (SELECT account FROM customers
                                                WHERE last_name_key >= $9 AND last_name_key < $10
                                                  AND last_name_key <> ''
                                                  AND first_name_key >= $7 AND first_name_key < $8
                                                ORDER BY length(account) DESC, account DESC LIMIT $1) AS by_full_name";

const NEWEST_FIRST: &str = "
 ORDER BY length(c.account) DESC, c.account DESC LIMIT $1";

/// What a customer's page reads beside its record.
#[derive(FromRow)]
struct CustomerOrigin {
    created_at: String,
    source_channel: Option<String>,
    group_description: Option<String>,
    loyalty_card: Option<String>,
}

/// See `HqDb::account_with_email`.
pub(super) const ACCOUNT_WITH_EMAIL: &str =
    "SELECT account FROM customers WHERE lower(email) = $1 AND account <> COALESCE($2, '')
   AND NOT EXISTS (SELECT 1 FROM customers own WHERE own.account = $2 AND lower(own.email) = $1)
 ORDER BY account LIMIT 1";

/// See `HqDb::account_of_temporary_id`.
pub(super) const ACCOUNT_OF_TEMPORARY_ID: &str = "SELECT account FROM customers WHERE async_customer_id = $1";

/// See `HqDb::email_in_use`.
const EMAIL_IN_USE: &str = "SELECT EXISTS (SELECT 1 FROM customers
                            WHERE lower(email) = $1 AND (async_customer_id IS NULL OR async_customer_id <> $2)
                              AND account NOT IN (SELECT account FROM realtime_operations
                                                  WHERE operation_id = $2 AND operation = 'create'))
                 OR EXISTS (SELECT 1 FROM RETAILASYNCCUSTOMERV2
                            WHERE email_key = $3 AND lower(email) = $1 AND operation = 'create' AND temporary_id <> $2
                              AND OnlineOperationCompleted = FALSE AND failed_for_good = FALSE)";

/// The end of the range of the texts that start with `start`.
fn up_to(start: &str) -> String {
    format!("{start}\u{10FFFF}")
}

impl HqDb {
    /// Customers, newest account first: all of them, or those `search`
    /// finds. Each branch of a search reads an index (the accounts' own, the
    /// emails' `customers_by_email`, the names' keys').
    pub async fn customer_list(
        &self,
        search: Option<&HqCustomerSearch>,
        limit: u32,
    ) -> Result<Vec<HqCustomerRow>, HqDbError> {
        let filter = match search {
            None => String::new(),
            Some(search) if search.full_name.is_some() => format!("{SEARCHED}{BY_FULL_NAME})"),
            Some(_) => format!("{SEARCHED})"),
        };
        let sql = format!("{CUSTOMER_LIST}{filter}{NEWEST_FIRST}");
        on_engine!(self, |pools, sql_dialect| {
            let mut query = sqlx::query_as(&sql).bind(i64::from(limit));
            if let Some(search) = search {
                query = query
                    .bind(search.account.clone())
                    .bind(search.email_start.clone())
                    .bind(up_to(&search.email_start))
                    .bind(search.name_start.clone())
                    .bind(up_to(&search.name_start));
                if let Some((first, last)) = &search.full_name {
                    query = query
                        .bind(first.clone())
                        .bind(up_to(first))
                        .bind(last.clone())
                        .bind(up_to(last));
                }
            }
            Ok(query.fetch_all(&pools.read).await?)
        })
    }

    /// One customer as its page shows it; none when HQ has no such account.
    pub async fn customer_page(&self, account: &str) -> Result<Option<HqCustomerDetail>, HqDbError> {
        let Some(record) = self.customer_record(account).await? else {
            return Ok(None);
        };
        let origin: Option<CustomerOrigin> = on_engine!(self, |pools, sql| sqlx::query_as(
            "SELECT c.created_at, ch.name AS source_channel, g.description AS group_description,
                    (SELECT l.card_number FROM loyalty_cards l WHERE l.account = c.account) AS loyalty_card
             FROM customers c LEFT JOIN channels ch ON ch.channel_id = c.source_channel_id
                  LEFT JOIN customer_groups g ON g.group_id = c.customer_group
             WHERE c.account = $1"
        )
        .bind(account)
        .fetch_optional(&pools.read)
        .await?);
        Ok(origin.map(|origin| {
            let group = &record.customer.customer_group;
            HqCustomerDetail {
                customer_group_caption: match &origin.group_description {
                    Some(description) => group_caption(group, description),
                    None => group.clone(),
                },
                account: record.account,
                created_at: origin.created_at,
                source_channel: origin.source_channel,
                async_customer_id: record.async_customer_id,
                last_async_operation_id: record.last_async_operation_id,
                loyalty_card: origin.loyalty_card,
                customer: record.customer,
            }
        }))
    }

    /// Whether a customer, or a create waiting for the sync and not refused
    /// for good, has the email `email_key` (folded by `email_key`), leaving
    /// out what the create `operation_id` made or staged itself: HQ's batch
    /// would refuse that create for the email. A create that failed but is
    /// retried, or corrected by an admin, may still take it first. Creates
    /// are found by their indexed search key (`search_keys`, which also
    /// reads marked letters as their letter), then compared as the batch
    /// compares emails, so that "josé@…" is not taken by "jose@…".
    pub async fn email_in_use(&self, email_key: &str, operation_id: &str) -> Result<bool, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(EMAIL_IN_USE)
            .bind(email_key)
            .bind(operation_id)
            .bind(fold_case(email_key))
            .fetch_one(&pools.read)
            .await?))
    }

    /// Whether a customer other than the one an edit changes (its `account`
    /// once synced, or the one the create `temporary_id` made, by the sync
    /// or in real time before its answer was lost), or a create
    /// waiting for the sync and not refused for good, has the email
    /// `email_key` (folded by `email_key`): HQ's batch would refuse the edit
    /// for it. A customer that has the email itself already shares it.
    /// Creates are found by their search key, as in `email_in_use`.
    pub async fn email_of_another_customer(
        &self,
        email_key: &str,
        account: Option<&str>,
        temporary_id: Option<&str>,
    ) -> Result<bool, HqDbError> {
        on_engine!(self, |pools, sql| {
            Ok(sqlx::query_scalar(
                "SELECT NOT EXISTS (SELECT 1 FROM customers own
                                WHERE (own.account = $2 OR own.async_customer_id = $3
                                       OR own.account IN (SELECT account FROM realtime_operations
                                                          WHERE operation_id = $3 AND operation = 'create'))
                                  AND lower(own.email) = $1)
                AND (EXISTS (SELECT 1 FROM customers
                             WHERE lower(email) = $1 AND ($2 IS NULL OR account <> $2)
                               AND ($3 IS NULL OR async_customer_id IS NULL OR async_customer_id <> $3)
                               AND account NOT IN (SELECT account FROM realtime_operations
                                                   WHERE operation_id = $3 AND operation = 'create'))
                     OR EXISTS (SELECT 1 FROM RETAILASYNCCUSTOMERV2
                                WHERE email_key = $4 AND lower(email) = $1 AND operation = 'create'
                                  AND ($3 IS NULL OR temporary_id <> $3)
                                  AND OnlineOperationCompleted = FALSE AND failed_for_good = FALSE))",
            )
            .bind(email_key)
            .bind(account)
            .bind(temporary_id)
            .bind(fold_case(email_key))
            .fetch_one(&pools.read)
            .await?)
        })
    }

    /// A customer other than `except` whose email is `email_key`, as HQ's
    /// batch finds it (`SyncTransaction::account_with_email`, whose
    /// statement this is), read outside the batch's transaction.
    pub async fn account_with_email(
        &self,
        email_key: &str,
        except: Option<&str>,
    ) -> Result<Option<String>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(ACCOUNT_WITH_EMAIL)
            .bind(email_key)
            .bind(except)
            .fetch_optional(&pools.read)
            .await?))
    }

    /// The customer the create `temporary_id` made, by the batch, as the
    /// batch finds it (`SyncTransaction::account_of_temporary_id`).
    pub async fn account_of_temporary_id(&self, temporary_id: &str) -> Result<Option<String>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(ACCOUNT_OF_TEMPORARY_ID)
            .bind(temporary_id)
            .fetch_optional(&pools.read)
            .await?))
    }

    /// The customer the create `temporary_id` made, by the batch or by a
    /// real-time call whose answer was lost.
    pub async fn account_made_by(&self, temporary_id: &str) -> Result<Option<String>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(
            "SELECT account FROM customers WHERE async_customer_id = $1
             UNION SELECT account FROM realtime_operations WHERE operation_id = $1 AND operation = 'create'"
        )
        .bind(temporary_id)
        .fetch_optional(&pools.read)
        .await?))
    }

    /// One customer whole: its fields, addresses, contacts, affiliations and attributes.
    pub async fn customer_record(&self, account: &str) -> Result<Option<CustomerRecord>, HqDbError> {
        on_engine!(self, |pools, sql| {
            let row: Option<CustomerRow> = sqlx::query_as(&format!(
                "SELECT account, row_version, async_customer_id, last_async_operation_at, last_async_operation_id,
                        settled_by_channel, {CUSTOMER_COLUMNS}
                 FROM customers WHERE account = $1"
            ))
            .bind(account)
            .fetch_optional(&pools.read)
            .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            let mut customer = row.customer.into_draft();
            let addresses: Vec<AddressColumns> = sqlx::query_as(&format!(
                "SELECT {ADDRESS_COLUMNS} FROM customer_addresses WHERE account = $1 ORDER BY line"
            ))
            .bind(account)
            .fetch_all(&pools.read)
            .await?;
            customer.addresses = addresses.into_iter().map(AddressColumns::into_draft).collect();
            let contacts: Vec<(String, String, bool)> = sqlx::query_as(
                "SELECT contact_type, value, is_primary FROM customer_contacts WHERE account = $1 ORDER BY line",
            )
            .bind(account)
            .fetch_all(&pools.read)
            .await?;
            customer.contacts = contacts
                .into_iter()
                .map(|(kind, value, primary)| ContactDraft { kind, value, primary })
                .collect();
            customer.affiliations = sqlx::query_scalar(
                "SELECT affiliation FROM customer_affiliations WHERE account = $1 ORDER BY affiliation",
            )
            .bind(account)
            .fetch_all(&pools.read)
            .await?;
            let attributes: Vec<(String, String)> = sqlx::query_as(
                "SELECT name, value FROM customer_attributes WHERE account = $1 ORDER BY name",
            )
            .bind(account)
            .fetch_all(&pools.read)
            .await?;
            customer.attributes = attributes
                .into_iter()
                .map(|(name, value)| AttributeDraft { name, value })
                .collect();
            Ok(Some(CustomerRecord {
                account: row.account,
                async_customer_id: row.async_customer_id,
                last_async_operation_at: row.last_async_operation_at,
                last_async_operation_id: row.last_async_operation_id,
                settled_by_channel: Some(row.settled_by_channel),
                row_version: row.row_version,
                customer,
            }))
        })
    }

    pub async fn count_customers(&self) -> Result<i64, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM customers"
        )
        .fetch_one(&pools.read)
        .await?))
    }
}

/// The addresses, contacts, affiliations and attributes of a batch of job
/// 1010's customers, each row with its customer's account.
#[derive(Default)]
pub(super) struct CustomerChildRows {
    pub(super) addresses: Vec<AddressRow>,
    pub(super) contacts: Vec<(String, String, String, bool)>,
    pub(super) affiliations: Vec<(String, String)>,
    pub(super) attributes: Vec<(String, String, String)>,
}

/// Job 1010's customers whole, from the rows read for them.
pub(super) fn customer_records(rows: Vec<CustomerRow>, children: CustomerChildRows) -> Vec<CustomerRecord> {
    let mut by_account: HashMap<String, CustomerDraft> = HashMap::new();
    for row in children.addresses {
        let customer = by_account.entry(row.account).or_default();
        customer.addresses.push(row.address.into_draft());
    }
    for (account, kind, value, primary) in children.contacts {
        let customer = by_account.entry(account).or_default();
        customer.contacts.push(ContactDraft { kind, value, primary });
    }
    for (account, affiliation) in children.affiliations {
        by_account
            .entry(account)
            .or_default()
            .affiliations
            .push(affiliation);
    }
    for (account, name, value) in children.attributes {
        let customer = by_account.entry(account).or_default();
        customer.attributes.push(AttributeDraft { name, value });
    }
    rows.into_iter()
        .map(|row| {
            let children = by_account.remove(&row.account).unwrap_or_default();
            let customer = CustomerDraft {
                addresses: children.addresses,
                contacts: children.contacts,
                affiliations: children.affiliations,
                attributes: children.attributes,
                ..row.customer.into_draft()
            };
            CustomerRecord {
                account: row.account,
                async_customer_id: row.async_customer_id,
                last_async_operation_at: row.last_async_operation_at,
                last_async_operation_id: row.last_async_operation_id,
                settled_by_channel: Some(row.settled_by_channel),
                row_version: row.row_version,
                customer,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::hq_db::Engine;

    /// A real-time create or sign-up asks whether its email is in use: the
    /// creates waiting for the sync are read through the index of their
    /// email keys, not by walking every operation HQ holds.
    #[tokio::test]
    async fn an_email_in_use_is_looked_up_through_indexes() {
        let dir = tempfile::TempDir::new().expect("a temporary folder");
        let hq = HqDb::open(&dir.path().join("hq.db")).await.expect("HQ opens");
        let Engine::Sqlite(pools) = &hq.engine else {
            panic!("HqDb::open opens SQLite");
        };
        let plan: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(&format!("EXPLAIN QUERY PLAN {EMAIL_IN_USE}"))
                .bind("ana@example.com")
                .bind("01a24eba-1b69-7d5f-972b-e6bf83a772ff")
                .bind("ana@example.com")
                .fetch_all(&pools.read)
                .await
                .expect("the plan");
        assert!(
            plan.iter()
                .any(|(.., step)| step.contains("status_page_by_email")),
            "{plan:?}"
        );
        assert!(
            !plan
                .iter()
                .any(|(.., step)| step.starts_with("SCAN") && step != "SCAN CONSTANT ROW"),
            "{plan:?}"
        );
    }
}
