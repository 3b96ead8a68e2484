//! One HQ transaction of "Synchronize customers and channel requests" (or
//! of a real-time service call): the statements that change customers and
//! complete or fail operations together.

use std::collections::{HashMap, HashSet};

use sqlx::query::Query;
use sqlx::{Database, Encode, Executor, Postgres, Sqlite, Transaction, Type};

use super::search_keys::{NAME_KEY_COLUMNS, name_key_column, name_keys};
use super::{HqDb, HqDbError};
use crate::domain::customer::{AddressDraft, ChangedFields, CustomerDraft, CustomerField, fold_case};
use crate::domain::records::StagedOperation;
use crate::storage::dialect::Dialect;
use crate::storage::staging_tables::{
    ADDRESS_COLUMNS, CUSTOMER_COLUMNS, bind_address, bind_customer, changed_fields,
};

const CUSTOMER_ACCOUNT_SEQUENCE: &str = "Customer account";

/// A change HQ made in real time: `operation` is `create`, `update` or
/// `add_address`, `request` what was asked, as JSON.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RealtimeOperation {
    pub operation: String,
    pub request: String,
    pub account: String,
}

pub struct SyncTransaction {
    pub(super) tx: Tx,
}

pub(super) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` on the transaction's connection, `$conn`, with `$sql` its
/// engine's `Dialect`; compiled once for each engine, as `on_engine!`.
macro_rules! on_tx {
    ($transaction:expr, |$conn:ident, $sql:ident| $body:expr) => {
        match &mut $transaction.tx {
            Tx::Sqlite(tx) => {
                #[allow(unused_variables)]
                let $sql = Dialect::Sqlite;
                let $conn = &mut **tx;
                $body
            }
            Tx::Postgres(tx) => {
                #[allow(unused_variables)]
                let $sql = Dialect::Postgres;
                let $conn = &mut **tx;
                $body
            }
        }
    };
}

impl HqDb {
    pub async fn begin_sync(&self) -> Result<SyncTransaction, HqDbError> {
        let tx = match &self.engine {
            super::Engine::Sqlite(pools) => Tx::Sqlite(pools.begin_write().await?),
            super::Engine::Postgres(pools) => Tx::Postgres(pools.begin_write().await?),
        };
        Ok(SyncTransaction { tx })
    }

    pub async fn customer_group_ids(&self) -> Result<Vec<String>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(
            "SELECT group_id FROM customer_groups"
        )
        .fetch_all(&pools.read)
        .await?))
    }
}

impl SyncTransaction {
    /// Takes the next customer account number from its number sequence.
    pub async fn next_customer_account(&mut self) -> Result<String, HqDbError> {
        Ok(self.reserve_customer_accounts(1).await?.remove(0))
    }

    /// Takes `count` customer account numbers from the number sequence at once.
    pub async fn reserve_customer_accounts(&mut self, count: usize) -> Result<Vec<String>, HqDbError> {
        self.reserve_numbers(CUSTOMER_ACCOUNT_SEQUENCE, count).await
    }

    /// Takes `count` numbers from the number sequence `sequence` at once.
    pub async fn reserve_numbers(&mut self, sequence: &str, count: usize) -> Result<Vec<String>, HqDbError> {
        if count == 0 {
            return Ok(Vec::new());
        }
        let row: Option<(String, i64, i64)> = on_tx!(self, |conn, sql| sqlx::query_as(
            "UPDATE number_sequences SET next_number = next_number + $1 WHERE name = $2
             RETURNING prefix, digits, next_number - $1",
        )
        .bind(count as i64)
        .bind(sequence)
        .fetch_optional(conn)
        .await?);
        let (prefix, digits, first) =
            row.ok_or_else(|| HqDbError::MissingNumberSequence(sequence.to_string()))?;
        Ok((first..first + count as i64)
            .map(|number| format_account(&prefix, digits, number))
            .collect())
    }

    /// Creates one HQ customer per uploaded create in `created`, pairs of
    /// operation id and new account, from the operation's rows as HQ holds
    /// them, and completes the operations. The new customers take the next
    /// row versions in `created`'s order, numbered here rather than by the
    /// per-row triggers.
    pub async fn create_customers_from_operations(
        &mut self,
        created: &[(i64, String)],
        attempted_by: &str,
    ) -> Result<(), HqDbError> {
        if created.is_empty() {
            return Ok(());
        }
        // The operations take their accounts first, so the statements below
        // read each account from its operation's row: only one statement
        // parses the pairs, the others join on a plain list of ids, in
        // `created`'s order (`m.position`, from 0).
        self.mark_synced_many(created, attempted_by).await?;
        let ids: Vec<i64> = created.iter().map(|(id, _)| *id).collect();
        let count = created.len() as i64;
        match &mut self.tx {
            Tx::Sqlite(tx) => {
                let from_created = "FROM (SELECT key AS position, value AS id FROM json_each($1)) m
                                    JOIN RETAILASYNCCUSTOMERV2 o ON o.id = m.id";
                let ids = to_json(&ids)?;
                let statements = creation_statements(Dialect::Sqlite, from_created);
                numbered_in_bulk(
                    &mut **tx,
                    count,
                    statements.iter().map(|s| sqlx::query(s).bind(&ids)),
                )
                .await
            }
            Tx::Postgres(tx) => {
                let from_created = "FROM (SELECT ordinal - 1 AS position, id
                                          FROM UNNEST($1::bigint[]) WITH ORDINALITY AS u (id, ordinal)) m
                                    JOIN RETAILASYNCCUSTOMERV2 o ON o.id = m.id";
                let statements = creation_statements(Dialect::Postgres, from_created);
                numbered_in_bulk(
                    &mut **tx,
                    count,
                    statements.iter().map(|s| sqlx::query(s).bind(&ids)),
                )
                .await
            }
        }
    }

    /// Completes each (operation id, account) pair's operation as synced to that account.
    pub async fn mark_synced_many(
        &mut self,
        synced: &[(i64, String)],
        attempted_by: &str,
    ) -> Result<(), HqDbError> {
        self.complete_pairs(
            "OnlineOperationCompleted = TRUE, account = m.outcome, error = NULL",
            synced,
        )
        .await?;
        self.record_attempts(synced, "synced", attempted_by).await
    }

    /// Records a failed attempt for each pair of operation id and error.
    pub async fn mark_failed_many(
        &mut self,
        failures: &[(i64, String)],
        attempted_by: &str,
    ) -> Result<(), HqDbError> {
        self.record_failures(failures, false, attempted_by).await
    }

    /// Records that HQ refused the operation for good (`SyncFailure::is_final`):
    /// the customer's later changes do not wait for it.
    pub async fn mark_failed_for_good(
        &mut self,
        operation_id: i64,
        error: &str,
        attempted_by: &str,
    ) -> Result<(), HqDbError> {
        self.record_failures(&[(operation_id, error.to_string())], true, attempted_by)
            .await
    }

    /// Each (operation id, error) pair's failure, refused for good or not.
    async fn record_failures(
        &mut self,
        failures: &[(i64, String)],
        for_good: bool,
        attempted_by: &str,
    ) -> Result<(), HqDbError> {
        if failures.is_empty() {
            return Ok(());
        }
        let changes = if for_good {
            "error = m.outcome, retry_count = retry_count + 1, failed_for_good = TRUE"
        } else {
            "error = m.outcome, retry_count = retry_count + 1, failed_for_good = FALSE"
        };
        self.complete_pairs(changes, failures).await?;
        self.record_attempts(failures, "failed", attempted_by).await
    }

    /// Sets `changes` (which read the pair's account or error as
    /// `m.outcome`) and the attempt's time on each pair's operation.
    async fn complete_pairs(&mut self, changes: &str, pairs: &[(i64, String)]) -> Result<(), HqDbError> {
        let statement = |dialect: Dialect, rows: &str| {
            format!(
                "UPDATE RETAILASYNCCUSTOMERV2 SET {changes}, last_attempt_at = {now}
                 FROM {rows} WHERE RETAILASYNCCUSTOMERV2.id = m.id",
                now = dialect.now()
            )
        };
        self.execute_with_pairs(statement, &[], pairs).await
    }

    /// Adds each operation of `pairs` to its timeline as an attempt with
    /// this outcome, and the account or error the operation now holds.
    async fn record_attempts(
        &mut self,
        pairs: &[(i64, String)],
        outcome: &str,
        attempted_by: &str,
    ) -> Result<(), HqDbError> {
        let detail = if outcome == "synced" { "account" } else { "error" };
        let statement = |dialect: Dialect, rows: &str| {
            format!(
                "INSERT INTO sync_attempts (operation_id, attempted_at, attempted_by, outcome, {detail})
                 SELECT o.id, {now}, $1, $2, o.{detail}
                 FROM {rows} JOIN RETAILASYNCCUSTOMERV2 o ON o.id = m.id",
                now = dialect.now()
            )
        };
        self.execute_with_pairs(statement, &[attempted_by, outcome], pairs)
            .await
    }

    /// Runs `statement`, written for an engine's dialect over `pairs` as
    /// the rows `m (id, outcome)` it is given, with the `leading` texts
    /// bound as its first parameters and the pairs after them: SQLite reads
    /// the pairs from one JSON text, PostgreSQL from two arrays.
    pub(super) async fn execute_with_pairs(
        &mut self,
        statement: impl Fn(Dialect, &str) -> String,
        leading: &[&str],
        pairs: &[(i64, String)],
    ) -> Result<(), HqDbError> {
        let first = leading.len() + 1;
        match &mut self.tx {
            Tx::Sqlite(tx) => {
                let rows =
                    format!("(SELECT value ->> 0 AS id, value ->> 1 AS outcome FROM json_each(${first})) m");
                let statement = statement(Dialect::Sqlite, &rows);
                let query = leading
                    .iter()
                    .fold(sqlx::query(&statement), |query, value| query.bind(*value));
                query.bind(to_json(pairs)?).execute(&mut **tx).await?;
            }
            Tx::Postgres(tx) => {
                let rows = format!(
                    "UNNEST(${first}::bigint[], ${}::text[]) AS m (id, outcome)",
                    first + 1
                );
                let statement = statement(Dialect::Postgres, &rows);
                let query = leading
                    .iter()
                    .fold(sqlx::query(&statement), |query, value| query.bind(*value));
                let (ids, outcomes): (Vec<i64>, Vec<String>) = pairs.iter().cloned().unzip();
                query.bind(ids).bind(outcomes).execute(&mut **tx).await?;
            }
        }
        Ok(())
    }

    /// The operations with ids from `first_id` to `last_id` that a copy read
    /// when the newest correction was `edits_seen` may be applied as read:
    /// those still open (another process may have completed some since) and
    /// not corrected by an admin since. A corrected one is left for the next
    /// run, which reads what HQ holds then.
    pub async fn open_operations(
        &mut self,
        first_id: i64,
        last_id: i64,
        edits_seen: i64,
    ) -> Result<HashSet<i64>, HqDbError> {
        let open = "FROM RETAILASYNCCUSTOMERV2 o
             WHERE id BETWEEN $1 AND $2 AND OnlineOperationCompleted = FALSE
               AND NOT EXISTS (SELECT 1 FROM operation_edits e WHERE e.operation_id = o.id AND e.edit_id > $3)";
        let ids: Vec<i64> = match &mut self.tx {
            // One JSON value rather than a row per id: rows cross from
            // SQLite's thread one message each.
            Tx::Sqlite(tx) => {
                let ids: String = sqlx::query_scalar(&format!("SELECT json_group_array(id) {open}"))
                    .bind(first_id)
                    .bind(last_id)
                    .bind(edits_seen)
                    .fetch_one(&mut **tx)
                    .await?;
                serde_json::from_str(&ids).map_err(|error| sqlx::Error::Decode(error.into()))?
            }
            Tx::Postgres(tx) => {
                sqlx::query_scalar(&format!("SELECT id {open}"))
                    .bind(first_id)
                    .bind(last_id)
                    .bind(edits_seen)
                    .fetch_all(&mut **tx)
                    .await?
            }
        };
        Ok(ids.into_iter().collect())
    }

    /// The customer holding each of these emails, by email in lower case
    /// (emails are compared without case).
    pub async fn accounts_with_emails(
        &mut self,
        emails: &[String],
    ) -> Result<HashMap<String, String>, HqDbError> {
        if emails.is_empty() {
            return Ok(HashMap::new());
        }
        let select = "SELECT lower(email), MIN(account) FROM customers WHERE lower(email)";
        let holders: Vec<(String, String)> = match &mut self.tx {
            Tx::Sqlite(tx) => {
                sqlx::query_as(&format!(
                    "{select} IN (SELECT value FROM json_each($1)) GROUP BY lower(email)"
                ))
                .bind(to_json(emails)?)
                .fetch_all(&mut **tx)
                .await?
            }
            Tx::Postgres(tx) => {
                sqlx::query_as(&format!("{select} = ANY($1) GROUP BY lower(email)"))
                    .bind(emails)
                    .fetch_all(&mut **tx)
                    .await?
            }
        };
        Ok(holders.into_iter().collect())
    }

    /// Creates an HQ customer with its addresses, contacts, affiliations and
    /// attributes, from the channel it was created in and, for an
    /// asynchronous create, under its temporary id.
    pub async fn create_customer(
        &mut self,
        account: &str,
        customer: &CustomerDraft,
        source_channel_id: Option<i64>,
        async_customer_id: Option<&str>,
    ) -> Result<(), HqDbError> {
        on_tx!(self, |conn, sql| insert_customer(
            conn,
            sql,
            account,
            customer,
            source_channel_id,
            async_customer_id
        )
        .await)
    }

    /// Writes the `changed` fields of a customer's own; false when there is
    /// no such customer.
    pub async fn update_customer(
        &mut self,
        account: &str,
        customer: &CustomerDraft,
        changed: ChangedFields,
    ) -> Result<bool, HqDbError> {
        on_tx!(self, |conn, sql| {
            let statement = update_of_changed_fields(changed, sql.now());
            let query = bind_changed_fields(sqlx::query(&statement), customer, changed).bind(account);
            Ok(query.execute(conn).await?.rows_affected() > 0)
        })
    }

    /// Adds an address to a customer; a primary one takes over from the old
    /// primary address. A customer's first address is its primary one,
    /// ticked or not, as a create's first address is.
    pub async fn add_address(&mut self, account: &str, address: &AddressDraft) -> Result<(), HqDbError> {
        on_tx!(self, |conn, sql| {
            let addresses: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM customer_addresses WHERE account = $1")
                    .bind(account)
                    .fetch_one(&mut *conn)
                    .await?;
            let address = AddressDraft {
                primary: address.primary || addresses == 0,
                ..address.clone()
            };
            if address.primary {
                sqlx::query("UPDATE customer_addresses SET is_primary = FALSE WHERE account = $1")
                    .bind(account)
                    .execute(&mut *conn)
                    .await?;
            }
            let line: i64 = sqlx::query_scalar(
                "SELECT COALESCE(MAX(line) + 1, 0) FROM customer_addresses WHERE account = $1",
            )
            .bind(account)
            .fetch_one(&mut *conn)
            .await?;
            insert_address(&mut *conn, account, line, &address).await?;
            sqlx::query(&format!(
                "UPDATE customers SET changed_at = {now} WHERE account = $1",
                now = sql.now()
            ))
            .bind(account)
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    }

    pub async fn customer_exists(&mut self, account: &str) -> Result<bool, HqDbError> {
        let count: i64 = on_tx!(self, |conn, sql| sqlx::query_scalar(
            "SELECT COUNT(*) FROM customers WHERE account = $1"
        )
        .bind(account)
        .fetch_one(conn)
        .await?);
        Ok(count > 0)
    }

    /// The account created from the asynchronous create `temporary_id`, if any yet.
    pub async fn account_of_temporary_id(&mut self, temporary_id: &str) -> Result<Option<String>, HqDbError> {
        on_tx!(self, |conn, sql| Ok(sqlx::query_scalar(
            super::customers::ACCOUNT_OF_TEMPORARY_ID
        )
        .bind(temporary_id)
        .fetch_optional(conn)
        .await?))
    }

    /// A customer other than `except` whose email is `email_key`
    /// (`domain::customer::email_key`), unless `except` has that email
    /// already: a change that keeps a customer's email is not refused for a
    /// duplicate made before HQ required unique emails. The key is folded by
    /// the caller: PostgreSQL's `lower` of a parameter would follow the
    /// database's locale, not the byte-wise "C" collation of the column.
    pub async fn account_with_email(
        &mut self,
        email_key: &str,
        except: Option<&str>,
    ) -> Result<Option<String>, HqDbError> {
        on_tx!(self, |conn, sql| Ok(sqlx::query_scalar(
            super::customers::ACCOUNT_WITH_EMAIL
        )
        .bind(email_key)
        .bind(except)
        .fetch_optional(conn)
        .await?))
    }

    /// Whether an uploaded create with this temporary id still waits for sync.
    pub async fn create_is_pending(&mut self, temporary_id: &str) -> Result<bool, HqDbError> {
        let count: i64 = on_tx!(self, |conn, sql| sqlx::query_scalar(
            "SELECT COUNT(*) FROM RETAILASYNCCUSTOMERV2
             WHERE temporary_id = $1 AND operation = 'create' AND OnlineOperationCompleted = FALSE",
        )
        .bind(temporary_id)
        .fetch_one(conn)
        .await?);
        Ok(count > 0)
    }

    /// Records that `operation`, marked synced or refused for good, is
    /// settled for its customer (`account`, or the customer its create's
    /// temporary id became), for the channels to know which of their staged
    /// changes HQ already shows.
    pub async fn note_settled(
        &mut self,
        account: Option<&str>,
        operation: &StagedOperation,
    ) -> Result<(), HqDbError> {
        let Some(account) = self.account_changed_by(account, operation).await? else {
            return Ok(());
        };
        self.note_newest_applied(&account, operation).await?;
        self.update_settled_mark(&account, operation.channel_id).await
    }

    /// Records that `operation`, refused for good before, is open again
    /// (`reopen`): the channel's settled mark goes back before it.
    pub async fn note_reopened(&mut self, operation: &StagedOperation) -> Result<(), HqDbError> {
        let account = operation.customer_account.as_deref();
        match self.account_changed_by(account, operation).await? {
            Some(account) => self.update_settled_mark(&account, operation.channel_id).await,
            None => Ok(()),
        }
    }

    /// Settles the changes HQ refused for good while these creates were
    /// pending: they named no customer HQ had then. Creates that made no
    /// customer (failed) find nothing.
    pub async fn note_settled_before_created(
        &mut self,
        create_temporary_ids: &[String],
    ) -> Result<(), HqDbError> {
        if create_temporary_ids.is_empty() {
            return Ok(());
        }
        let select = "SELECT DISTINCT c.account, o.channel_id
             FROM RETAILASYNCCUSTOMERV2 o JOIN customers c ON c.async_customer_id = o.customer_temporary_id
             WHERE o.operation <> 'create' AND o.failed_for_good = TRUE AND o.customer_temporary_id";
        let refused: Vec<(String, i64)> = self.fetch_where_in(select, create_temporary_ids).await?;
        for (account, channel_id) in refused {
            self.update_settled_mark(&account, channel_id).await?;
        }
        Ok(())
    }

    /// The customer `operation` changes: `account`, or the customer its
    /// create's temporary id became, if HQ has it.
    async fn account_changed_by(
        &mut self,
        account: Option<&str>,
        operation: &StagedOperation,
    ) -> Result<Option<String>, HqDbError> {
        match (account, &operation.customer_temporary_id) {
            (Some(account), _) => Ok(Some(account.to_string())),
            (None, Some(temporary_id)) => self.account_of_temporary_id(temporary_id).await,
            (None, None) => Ok(None),
        }
    }

    /// Makes `operation` the newest change of any channel HQ applied to the
    /// customer when it was made last. Never back in time: another store's
    /// older change can be applied after a newer one (an address, which
    /// both keep).
    async fn note_newest_applied(
        &mut self,
        account: &str,
        operation: &StagedOperation,
    ) -> Result<(), HqDbError> {
        on_tx!(self, |conn, sql| {
            sqlx::query(
                "UPDATE customers SET last_async_operation_at = $1, last_async_operation_id = $2
                 WHERE account = $3 AND (last_async_operation_at IS NULL OR last_async_operation_at < $1)",
            )
            .bind(&operation.created_at)
            .bind(&operation.temporary_id)
            .bind(account)
            .execute(conn)
            .await?;
        });
        Ok(())
    }

    /// The newest of the channel's changes of the customer such that it and
    /// every one of the channel's changes before it are settled: a store
    /// shows as on its way exactly those after it. Usually the change
    /// settled last; but a change refused for good for its own rows is
    /// settled before an older one of its store that waits for an admin's
    /// correction, and is then not yet the mark. A change HQ applied is
    /// never after the mark, also when an older one refused for good was
    /// opened again since (`reopen`): HQ's copy has it, and a store laying
    /// it over that copy would show it twice.
    async fn settled_mark(&mut self, account: &str, channel_id: i64) -> Result<Option<String>, HqDbError> {
        const NO_ID_AFTER: i64 = i64::MAX;
        let of_the_channel = format!("channel_id = $2 AND {}", changes_of_the_customer("$1"));
        on_tx!(self, |conn, sql| Ok(sqlx::query_scalar(&format!(
            "SELECT settled.temporary_id FROM RETAILASYNCCUSTOMERV2 settled
             WHERE {of_the_channel}
               AND (settled.OnlineOperationCompleted = TRUE
                    OR (settled.failed_for_good = TRUE
                        AND settled.id < COALESCE((
                            SELECT min(waiting.id) FROM RETAILASYNCCUSTOMERV2 waiting
                            WHERE {of_the_channel}
                              AND waiting.OnlineOperationCompleted = FALSE AND waiting.failed_for_good = FALSE
                        ), {NO_ID_AFTER})))
             ORDER BY settled.id DESC LIMIT 1"
        ))
        .bind(account)
        .bind(channel_id)
        .fetch_optional(conn)
        .await?))
    }

    /// Makes the channel's settled mark for the customer what its changes
    /// now say.
    async fn update_settled_mark(&mut self, account: &str, channel_id: i64) -> Result<(), HqDbError> {
        let mark = self.settled_mark(account, channel_id).await?;
        self.send_settled_mark(account, channel_id, mark.as_deref()).await
    }

    /// Makes `mark` the channel's settled mark for the customer (none: no
    /// change of the channel is settled before its first open one) and
    /// moves the customer's version when the mark changes, so that job 1010
    /// sends it again (the change settled may itself have changed nothing:
    /// refused, or made in real time already).
    async fn send_settled_mark(
        &mut self,
        account: &str,
        channel_id: i64,
        mark: Option<&str>,
    ) -> Result<(), HqDbError> {
        on_tx!(self, |conn, sql| {
            let (set_mark, remove_mark, current_mark) = match sql {
                Dialect::Sqlite => (
                    "json_set(settled_by_channel, '$.\"' || $1 || '\"', $2)",
                    "json_remove(settled_by_channel, '$.\"' || $1 || '\"')",
                    "json_extract(settled_by_channel, '$.\"' || $1 || '\"')",
                ),
                Dialect::Postgres => (
                    "jsonb_set(settled_by_channel::jsonb, ARRAY[$1], to_jsonb($2::text))::text",
                    "(settled_by_channel::jsonb - $1)::text",
                    "settled_by_channel::jsonb ->> $1",
                ),
            };
            let now = sql.now();
            let channel = channel_id.to_string();
            match mark {
                Some(mark) => {
                    sqlx::query(&format!(
                        "UPDATE customers SET settled_by_channel = {set_mark}, changed_at = {now}
                         WHERE account = $3 AND ({current_mark} IS NULL OR {current_mark} <> $2)"
                    ))
                    .bind(channel)
                    .bind(mark)
                    .bind(account)
                    .execute(conn)
                    .await?
                }
                None => {
                    sqlx::query(&format!(
                        "UPDATE customers SET settled_by_channel = {remove_mark}, changed_at = {now}
                         WHERE account = $2 AND {current_mark} IS NOT NULL"
                    ))
                    .bind(channel)
                    .bind(account)
                    .execute(conn)
                    .await?
                }
            };
        });
        Ok(())
    }

    /// The updates HQ made of the customer in real time at or after
    /// `made_at`: when each was made and the fields it changed. A staged
    /// update made at `made_at` is older than each.
    pub async fn edited_in_realtime_since(
        &mut self,
        account: &str,
        made_at: &str,
    ) -> Result<Vec<(String, ChangedFields)>, HqDbError> {
        let updates: Vec<(String, Option<String>)> = on_tx!(self, |conn, sql| sqlx::query_as(
            "SELECT made_at, changed_fields FROM realtime_operations
             WHERE account = $1 AND made_at >= $2 AND operation = 'update'",
        )
        .bind(account)
        .bind(made_at)
        .fetch_all(conn)
        .await?);
        with_changed_fields(updates)
    }

    /// The updates of the customer made after `made_at` and synced already
    /// (another store's, whose P-job uploaded them first): when each was
    /// made and the fields it changed. A staged update made at `made_at` is
    /// older than each.
    pub async fn updated_since(
        &mut self,
        account: &str,
        made_at: &str,
    ) -> Result<Vec<(String, ChangedFields)>, HqDbError> {
        let updates: Vec<(String, Option<String>)> = on_tx!(self, |conn, sql| {
            sqlx::query_as(
            "SELECT created_at, changed_fields FROM RETAILASYNCCUSTOMERV2
             WHERE account = $1 AND operation = 'update' AND OnlineOperationCompleted = TRUE AND created_at > $2",
        )
        .bind(account)
        .bind(made_at)
        .fetch_all(conn)
        .await?
        });
        with_changed_fields(updates)
    }

    /// Whether a change made before `operation_id` for the same customer is
    /// not completed yet; a change waits for the ones made before it, so
    /// that HQ applies a customer's changes in the order they were made (the
    /// channel shows what it staged after the last change HQ applied). Not
    /// for one HQ refused for good, which nothing will complete.
    pub async fn earlier_change_pending(
        &mut self,
        operation_id: i64,
        account: &str,
    ) -> Result<bool, HqDbError> {
        let count: i64 = on_tx!(self, |conn, sql| sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM RETAILASYNCCUSTOMERV2
             WHERE id < $1 AND OnlineOperationCompleted = FALSE AND failed_for_good = FALSE
               AND {}",
            changes_of_the_customer("$2")
        ))
        .bind(operation_id)
        .bind(account)
        .fetch_one(conn)
        .await?);
        Ok(count > 0)
    }

    pub async fn mark_synced(
        &mut self,
        operation_id: i64,
        account: &str,
        attempted_by: &str,
    ) -> Result<(), HqDbError> {
        self.mark_synced_many(&[(operation_id, account.to_string())], attempted_by)
            .await
    }

    /// Records a failed attempt of one operation. True when HQ had refused
    /// it for good before (`reopen`, which is asked first to know it: the
    /// failure then sets the error and the flag again).
    pub async fn mark_failed(
        &mut self,
        operation_id: i64,
        error: &str,
        attempted_by: &str,
    ) -> Result<bool, HqDbError> {
        let reopened = self.reopen(operation_id).await?;
        self.mark_failed_many(&[(operation_id, error.to_string())], attempted_by)
            .await?;
        Ok(reopened)
    }

    /// Makes an operation HQ refused for good open again, without its
    /// refusal, as a try found it failing for another reason, or waiting for
    /// an earlier change (an admin corrected it, or an earlier change of its
    /// customer is open again); false when it was open. Its customer's later
    /// changes wait for it again, and the status page's rows waiting behind
    /// it name it, not the refusal.
    pub async fn reopen(&mut self, operation_id: i64) -> Result<bool, HqDbError> {
        const STATEMENT: &str = "UPDATE RETAILASYNCCUSTOMERV2 SET failed_for_good = FALSE, error = NULL
             WHERE id = $1 AND failed_for_good = TRUE";
        let reopened = on_tx!(self, |conn, sql| sqlx::query(STATEMENT)
            .bind(operation_id)
            .execute(conn)
            .await?
            .rows_affected());
        Ok(reopened > 0)
    }

    /// The real-time change made under `operation_id`, if one was.
    pub async fn realtime_operation(
        &mut self,
        operation_id: &str,
    ) -> Result<Option<RealtimeOperation>, HqDbError> {
        on_tx!(self, |conn, sql| Ok(sqlx::query_as(
            "SELECT operation, request, account FROM realtime_operations WHERE operation_id = $1"
        )
        .bind(operation_id)
        .fetch_optional(conn)
        .await?))
    }

    /// The accounts HQ already created in real time under any of these
    /// operation ids, by operation id.
    pub async fn realtime_creates_among(
        &mut self,
        operation_ids: &[String],
    ) -> Result<HashMap<String, String>, HqDbError> {
        if operation_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let select = "SELECT operation_id, account FROM realtime_operations
             WHERE operation = 'create' AND operation_id";
        let made: Vec<(String, String)> = self.fetch_where_in(select, operation_ids).await?;
        Ok(made.into_iter().collect())
    }

    /// The rows of `select`, whose text ends with the column to match, for
    /// which that column is one of `values`: each engine's way of binding a
    /// list as one parameter.
    async fn fetch_where_in<Row>(&mut self, select: &str, values: &[String]) -> Result<Vec<Row>, HqDbError>
    where
        Row: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        Ok(match &mut self.tx {
            Tx::Sqlite(tx) => {
                sqlx::query_as(&format!("{select} IN (SELECT value FROM json_each($1))"))
                    .bind(to_json(values)?)
                    .fetch_all(&mut **tx)
                    .await?
            }
            Tx::Postgres(tx) => {
                sqlx::query_as(&format!("{select} = ANY($1)"))
                    .bind(values)
                    .fetch_all(&mut **tx)
                    .await?
            }
        })
    }

    /// Gives a customer created in real time the temporary id of the staged
    /// copy of its create, so that changes staged behind that copy find it.
    /// Marked changed, so that the stores download it again and replace
    /// their pending copy with it.
    pub async fn adopt_temporary_id(&mut self, account: &str, temporary_id: &str) -> Result<(), HqDbError> {
        on_tx!(self, |conn, sql| {
            sqlx::query(&format!(
                "UPDATE customers SET async_customer_id = $1, changed_at = {now}
                 WHERE account = $2 AND async_customer_id IS NULL",
                now = sql.now()
            ))
            .bind(temporary_id)
            .bind(account)
            .execute(conn)
            .await?;
        });
        Ok(())
    }

    /// Records the real-time change made under `operation_id` with this
    /// transaction's other changes.
    pub async fn record_realtime_operation(
        &mut self,
        operation_id: &str,
        operation: &str,
        request: &str,
        account: &str,
        changed: ChangedFields,
    ) -> Result<(), HqDbError> {
        on_tx!(self, |conn, sql| {
            sqlx::query(&format!(
                "INSERT INTO realtime_operations (operation_id, operation, request, account, changed_fields, made_at)
                 VALUES ($1, $2, $3, $4, $5, {now})",
                now = sql.now()
            ))
            .bind(operation_id)
            .bind(operation)
            .bind(request)
            .bind(account)
            .bind(changed.code())
            .execute(conn)
            .await?;
        });
        Ok(())
    }

    pub async fn commit(self) -> Result<(), HqDbError> {
        match self.tx {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// Runs the statements that create customers numbering their row versions
/// themselves (`creation_statements`), with the triggers standing aside,
/// then moves the counter past the `count` versions they took.
async fn numbered_in_bulk<'q, C, DB>(
    conn: &mut C,
    count: i64,
    statements: impl Iterator<Item = sqlx::query::Query<'q, DB, DB::Arguments<'q>>>,
) -> Result<(), HqDbError>
where
    DB: Database,
    for<'e> &'e mut C: Executor<'e, Database = DB>,
    i64: Encode<'q, DB> + Type<DB>,
    DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
{
    sqlx::query::<DB>("UPDATE row_version_counter SET numbering_in_bulk = TRUE")
        .execute(&mut *conn)
        .await?;
    for statement in statements {
        statement.execute(&mut *conn).await?;
    }
    sqlx::query::<DB>("UPDATE row_version_counter SET next = next + $1, numbering_in_bulk = FALSE")
        .bind(count)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The statements that create the customers of `from_created`'s operations
/// with all their rows, row versions numbered in the operations' order.
fn creation_statements(dialect: Dialect, from_created: &str) -> [String; 5] {
    let now = dialect.now();
    [
        format!(
            "INSERT INTO customers (account, source_channel_id, async_customer_id, created_at, changed_at,
                                    last_async_operation_at, last_async_operation_id, row_version,
                                    {CUSTOMER_COLUMNS}, {NAME_KEY_COLUMNS})
             SELECT o.account, o.channel_id, o.temporary_id, {now}, {now}, o.created_at, o.temporary_id,
                    (SELECT next FROM row_version_counter) + m.position, {}, {}
             {from_created}",
            qualified("o", CUSTOMER_COLUMNS),
            qualified("o", NAME_KEY_COLUMNS)
        ),
        format!(
            "INSERT INTO customer_addresses (account, line, {ADDRESS_COLUMNS})
             SELECT o.account, a.line, {}
             {from_created} JOIN RETAILASYNCADDRESSV2 a ON a.temporary_id = o.temporary_id",
            qualified("a", ADDRESS_COLUMNS)
        ),
        format!(
            "INSERT INTO customer_contacts (account, line, contact_type, value, is_primary)
             SELECT o.account, c.line, c.contact_type, c.value, c.is_primary
             {from_created} JOIN RETAILASYNCCUSTOMERCONTACT c ON c.temporary_id = o.temporary_id"
        ),
        format!(
            "INSERT INTO customer_affiliations (account, affiliation)
             SELECT o.account, f.affiliation
             {from_created} JOIN RETAILASYNCCUSTOMERAFFILIATION f ON f.temporary_id = o.temporary_id"
        ),
        format!(
            "INSERT INTO customer_attributes (account, name, value)
             SELECT o.account, t.name, t.value
             {from_created} JOIN RETAILASYNCCUSTOMERATTRIBUTEV2 t ON t.temporary_id = o.temporary_id"
        ),
    ]
}

/// Inserts a customer with all its rows; used by the sync, real-time calls
/// and the demo data.
pub(super) async fn insert_customer<C, DB: Database>(
    conn: &mut C,
    dialect: Dialect,
    account: &str,
    customer: &CustomerDraft,
    source_channel_id: Option<i64>,
    async_customer_id: Option<&str>,
) -> Result<(), HqDbError>
where
    for<'e> &'e mut C: Executor<'e, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> &'q String: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Type<DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
{
    let now = dialect.now();
    let statement = format!(
        "INSERT INTO customers (account, source_channel_id, async_customer_id, created_at, changed_at,
                                {CUSTOMER_COLUMNS}, {NAME_KEY_COLUMNS})
         VALUES ($1, $2, $3, {now}, {now}, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    );
    let query = sqlx::query::<DB>(&statement)
        .bind(account)
        .bind(source_channel_id)
        .bind(async_customer_id);
    let query = name_keys(customer)
        .into_iter()
        .fold(bind_customer(query, customer), |query, key| query.bind(key));
    query.execute(&mut *conn).await?;
    for (line, address) in customer.addresses.iter().enumerate() {
        insert_address(&mut *conn, account, line as i64, address).await?;
    }
    for (line, contact) in customer.contacts.iter().enumerate() {
        sqlx::query::<DB>(
            "INSERT INTO customer_contacts (account, line, contact_type, value, is_primary)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(account)
        .bind(line as i64)
        .bind(&contact.kind)
        .bind(&contact.value)
        .bind(contact.primary)
        .execute(&mut *conn)
        .await?;
    }
    for affiliation in &customer.affiliations {
        sqlx::query::<DB>("INSERT INTO customer_affiliations (account, affiliation) VALUES ($1, $2)")
            .bind(account)
            .bind(affiliation)
            .execute(&mut *conn)
            .await?;
    }
    for attribute in &customer.attributes {
        sqlx::query::<DB>("INSERT INTO customer_attributes (account, name, value) VALUES ($1, $2, $3)")
            .bind(account)
            .bind(&attribute.name)
            .bind(&attribute.value)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn insert_address<C, DB: Database>(
    conn: &mut C,
    account: &str,
    line: i64,
    address: &AddressDraft,
) -> Result<(), HqDbError>
where
    for<'e> &'e mut C: Executor<'e, Database = DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> &'q String: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> bool: Encode<'q, DB> + Type<DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
{
    let statement = format!(
        "INSERT INTO customer_addresses (account, line, {ADDRESS_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    );
    let query = sqlx::query::<DB>(&statement).bind(account).bind(line);
    bind_address(query, address).execute(&mut *conn).await?;
    Ok(())
}

/// Each change's time with the fields its `changed_fields` column names.
fn with_changed_fields(
    changes: Vec<(String, Option<String>)>,
) -> Result<Vec<(String, ChangedFields)>, HqDbError> {
    changes
        .into_iter()
        .map(|(made_at, code)| Ok((made_at, changed_fields(code.as_deref())?)))
        .collect()
}

/// The update of a customer's `changed` fields and of the keys of the names
/// among them, each bound in the order of `changed_columns`, and of its
/// `changed_at` to `now`, for the account bound last.
fn update_of_changed_fields(changed: ChangedFields, now: &str) -> String {
    let mut assignments: Vec<String> = changed_columns(changed)
        .zip(1..)
        .map(|((column, _), parameter)| format!("{column} = ${parameter}"))
        .collect();
    let account = assignments.len() + 1;
    assignments.push(format!("changed_at = {now}"));
    format!(
        "UPDATE customers SET {} WHERE account = ${account}",
        assignments.join(", ")
    )
}

/// The columns an update of the `changed` fields writes: each field's, then
/// the key of each name among them (`name_key_column`), with what is
/// written there.
fn changed_columns(changed: ChangedFields) -> impl Iterator<Item = (&'static str, ChangedValue)> {
    let fields = changed
        .fields()
        .map(|field| (field.column(), ChangedValue::Field(field)));
    let keys = changed
        .fields()
        .filter_map(|field| Some((name_key_column(field)?, ChangedValue::NameKey(field))));
    fields.chain(keys)
}

/// What an updated column takes: a field's value, or the key of a name.
#[derive(Clone, Copy)]
enum ChangedValue {
    Field(CustomerField),
    NameKey(CustomerField),
}

/// Binds `customer`'s `changed` fields for `update_of_changed_fields`.
fn bind_changed_fields<'q, DB: Database>(
    query: Query<'q, DB, DB::Arguments<'q>>,
    customer: &'q CustomerDraft,
    changed: ChangedFields,
) -> Query<'q, DB, DB::Arguments<'q>>
where
    &'q str: Encode<'q, DB> + Type<DB>,
    String: Encode<'q, DB> + Type<DB>,
{
    changed_columns(changed).fold(query, |query, (_, value)| match value {
        ChangedValue::Field(field) => query.bind(field.value(customer)),
        ChangedValue::NameKey(field) => query.bind(fold_case(field.value(customer))),
    })
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, HqDbError> {
    serde_json::to_string(value).map_err(|error| HqDbError::from(sqlx::Error::Encode(error.into())))
}

/// `a.x, a.y` for the columns `x, y`.
fn qualified(alias: &str, columns: &str) -> String {
    columns
        .split(',')
        .map(|column| format!("{alias}.{}", column.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `C` and 6 digits of 13 give `C000013`.
fn format_account(prefix: &str, digits: i64, number: i64) -> String {
    let width = usize::try_from(digits).unwrap_or(0);
    format!("{prefix}{number:0width$}")
}

/// The updates and address additions of the customer whose account is the
/// parameter `account`: named by it, or by the temporary id of its create.
fn changes_of_the_customer(account: &str) -> String {
    format!(
        "operation <> 'create'
         AND (customer_account = {account}
              OR customer_temporary_id = (SELECT async_customer_id FROM customers WHERE account = {account}))"
    )
}

#[cfg(test)]
mod tests {
    use super::format_account;

    #[test]
    fn accounts_are_padded_to_the_sequence_width() {
        assert_eq!(format_account("C", 6, 13), "C000013");
        assert_eq!(format_account("", 3, 1234), "1234");
    }
}
