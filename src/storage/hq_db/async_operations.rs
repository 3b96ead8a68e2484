//! The uploaded copies of the channels' asynchronous customer operations.

use std::collections::HashSet;

use serde::Deserialize;
use sqlx::{FromRow, PgConnection, QueryBuilder, Sqlite, SqliteConnection};

use super::search_keys::{SEARCH_KEY_COLUMNS, search_keys};
use super::{Engine, HqDb, HqDbError};
use crate::domain::customer::CustomerDraft;
use crate::domain::records::StagedOperation;
use crate::storage::dialect::Dialect;
use crate::storage::staging_tables::{
    CUSTOMER_COLUMNS, OPERATION_COLUMNS, STAGED_CHILD_TABLES, child_rows, execute_batch, insert_children,
    operations_document, parse_operations, push_children_inserts, push_customer, push_multi_row_inserts,
};

/// A column (`w.<column>`) of the first operation a change `o` waits for
/// that has failed (and not for good): its customer's create, or a change
/// of its customer made before it, as `SyncTransaction::earlier_change_pending`
/// keeps a customer's changes in order. Each way of naming the customer is
/// looked up by its own index: one condition of them all walked every
/// pending operation for each row of the status page.
macro_rules! failed_change_before_o {
    // The failed operations (not for good) made before `o` that the
    // condition names.
    (@where $condition:literal) => {
        concat!(
            "SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE ",
            $condition,
            " AND id < o.id AND OnlineOperationCompleted = FALSE AND error IS NOT NULL AND failed_for_good = FALSE"
        )
    };
    ($column:literal) => {
        concat!(
            "(SELECT w.",
            $column,
            " FROM RETAILASYNCCUSTOMERV2 w WHERE w.id = (SELECT MIN(b.id) FROM (",
            failed_change_before_o!(@where "temporary_id = o.customer_temporary_id AND operation = 'create'"),
            " UNION ALL ",
            failed_change_before_o!(@where "customer_temporary_id = o.customer_temporary_id"),
            " UNION ALL ",
            failed_change_before_o!(@where "customer_account = o.customer_account"),
            " UNION ALL ",
            failed_change_before_o!(@where
                "customer_temporary_id = (SELECT c.async_customer_id FROM customers c
                                          WHERE c.account = o.customer_account)"
            ),
            " UNION ALL ",
            failed_change_before_o!(@where
                "customer_account = (SELECT c.account FROM customers c
                                     WHERE c.async_customer_id = o.customer_temporary_id)"
            ),
            ") b))"
        )
    };
}

pub(super) use failed_change_before_o;

/// A customer's name as the pages show it (`display_name`), from the name
/// columns of the table aliased `$table`: an organisation's name, or a
/// person's first, middle and last names, the empty ones left out.
macro_rules! customer_name {
    ($table:literal) => {
        concat!(
            "CASE WHEN ",
            $table,
            ".party_type = 'organization' THEN ",
            $table,
            ".organization_name
                  ELSE TRIM(",
            $table,
            ".first_name
                            || CASE WHEN ",
            $table,
            ".middle_name <> '' THEN ' ' || ",
            $table,
            ".middle_name ELSE '' END
                            || CASE WHEN ",
            $table,
            ".last_name <> '' THEN ' ' || ",
            $table,
            ".last_name ELSE '' END) END"
        )
    };
}

/// The columns of an `UploadedOperationRow`, read from
/// `OPERATIONS_WITH_CHANNEL` (also by the bench's floor of the status page).
/// An address addition carries the address alone: its name is its
/// customer's, as HQ holds it or as its create was uploaded. A change named
/// by its customer's temporary id shows the account that customer's create
/// got once synced.
pub const OPERATION_ROW_COLUMNS: &str = concat!(
    "o.id, o.temporary_id, o.operation, c.name AS channel, o.created_at, o.channel_sequence,
    CASE WHEN o.operation = 'add_address' THEN COALESCE(
            (SELECT ",
    customer_name!("n"),
    " FROM customers n WHERE n.account = o.customer_account),
            (SELECT ",
    customer_name!("n"),
    " FROM customers n WHERE n.async_customer_id = o.customer_temporary_id),
            (SELECT ",
    customer_name!("n"),
    " FROM RETAILASYNCCUSTOMERV2 n
             WHERE n.temporary_id = o.customer_temporary_id AND n.operation = 'create'),
            '')
         ELSE ",
    customer_name!("o"),
    " END AS name,
    CASE WHEN o.customer_account IS NULL AND o.customer_temporary_id IS NOT NULL
         THEN (SELECT n.account FROM customers n WHERE n.async_customer_id = o.customer_temporary_id)
         ELSE o.customer_account
    END AS customer_account,
    o.customer_temporary_id,
    o.OnlineOperationCompleted AS online_operation_completed, o.account,
    o.error, o.retry_count, o.last_attempt_at, u.scale_unit,
    CASE WHEN o.OnlineOperationCompleted = FALSE AND o.error IS NULL AND o.operation <> 'create' THEN ",
    failed_change_before_o!("temporary_id"),
    " END AS waits_for"
);

/// The uploaded operations (`o`) with their channel (`c`) and the P-job run
/// that uploaded them (`u`), whose scale unit is theirs.
pub const OPERATIONS_WITH_CHANNEL: &str = "RETAILASYNCCUSTOMERV2 o
     LEFT JOIN channels c ON c.channel_id = o.channel_id
     LEFT JOIN job_runs u ON u.run_id = o.upload_run_id";

/// An uploaded operation as the Customer synchronization status page lists
/// it. Its page of them is read as a JSON array of each row's values, in
/// the order of these fields.
#[derive(Debug, Clone, PartialEq, Eq, FromRow, Deserialize)]
pub struct UploadedOperationRow {
    pub id: i64,
    pub temporary_id: String,
    pub operation: String,
    pub channel: Option<String>,
    pub created_at: String,
    pub channel_sequence: i64,
    pub name: String,
    pub customer_account: Option<String>,
    pub customer_temporary_id: Option<String>,
    pub online_operation_completed: bool,
    pub account: Option<String>,
    pub error: Option<String>,
    pub retry_count: i64,
    pub last_attempt_at: Option<String>,
    pub scale_unit: Option<String>,
    /// The failed operation a pending change waits for: its customer's
    /// create, or an earlier change of its customer.
    pub waits_for: Option<String>,
}

/// Operations not completed yet and under the retry limit (`$2`), after
/// the id `$1`, oldest first, at most `$3`.
const PENDING_OPERATIONS: &str = "SELECT * FROM RETAILASYNCCUSTOMERV2
     WHERE OnlineOperationCompleted = FALSE AND id > $1 AND retry_count < $2
     ORDER BY id LIMIT $3";

impl HqDb {
    /// Stores uploaded operations with all their rows in one transaction;
    /// one already uploaded (same temporary id) is left as it is, so a
    /// P-job that runs again duplicates nothing. Returns how many were new.
    pub async fn save_uploaded_operations(&self, upload: PreparedUpload) -> Result<u64, HqDbError> {
        match &self.engine {
            Engine::Sqlite(pools) => {
                let mut tx = pools.begin_write().await?;
                let uploaded_before = already_uploaded(&mut tx, &upload.operations).await?;
                let (inserts, new_count) = if uploaded_before.is_empty() {
                    (upload.inserts, upload.operations.len())
                } else {
                    let new = not_in(&upload.operations, &uploaded_before);
                    (upload_inserts(&new, upload.run_id), new.len())
                };
                execute_batch(&mut tx, inserts).await?;
                tx.commit().await?;
                Ok(new_count as u64)
            }
            Engine::Postgres(pools) => {
                let mut tx = pools.begin_write().await?;
                let ids: Vec<&str> = upload
                    .operations
                    .iter()
                    .map(|op| op.temporary_id.as_str())
                    .collect();
                let uploaded_before: HashSet<String> = sqlx::query_scalar(
                    "SELECT temporary_id FROM RETAILASYNCCUSTOMERV2 WHERE temporary_id = ANY($1)",
                )
                .bind(&ids)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .collect();
                let new = not_in(&upload.operations, &uploaded_before);
                unnest_operations(&mut tx, &new, upload.run_id).await?;
                let children: Vec<(&str, &CustomerDraft)> = new
                    .iter()
                    .map(|op| (op.temporary_id.as_str(), &op.customer))
                    .collect();
                unnest_children(&mut tx, &children).await?;
                tx.commit().await?;
                Ok(new.len() as u64)
            }
        }
    }

    /// Operations not completed yet and still under the retry limit, after
    /// `after_id`, oldest first, with all their rows.
    pub async fn pending_operations(
        &self,
        after_id: i64,
        limit: u32,
        max_retries: u32,
    ) -> Result<Vec<StagedOperation>, HqDbError> {
        let document: String = on_engine!(self, |pools, sql| sqlx::query_scalar(&operations_document(
            sql,
            PENDING_OPERATIONS
        ))
        .bind(after_id)
        .bind(i64::from(max_retries))
        .bind(i64::from(limit))
        .fetch_one(&pools.read)
        .await?);
        Ok(parse_operations(&document)?)
    }

    /// The uploaded operations among `temporary_ids` that are not completed,
    /// oldest first, with all their rows, whatever their retries.
    pub async fn open_operations_among(
        &self,
        temporary_ids: &[String],
    ) -> Result<Vec<StagedOperation>, HqDbError> {
        let selection = |among: &str| {
            format!(
                "SELECT * FROM RETAILASYNCCUSTOMERV2
                 WHERE temporary_id {among} AND OnlineOperationCompleted = FALSE ORDER BY id"
            )
        };
        let document: String = match &self.engine {
            Engine::Sqlite(pools) => {
                let ids = serde_json::to_string(temporary_ids)
                    .map_err(|error| sqlx::Error::Encode(error.into()))?;
                let among = selection("IN (SELECT value FROM json_each($1))");
                sqlx::query_scalar(&operations_document(Dialect::Sqlite, &among))
                    .bind(ids)
                    .fetch_one(&pools.read)
                    .await?
            }
            Engine::Postgres(pools) => {
                sqlx::query_scalar(&operations_document(Dialect::Postgres, &selection("= ANY($1)")))
                    .bind(temporary_ids)
                    .fetch_one(&pools.read)
                    .await?
            }
        };
        Ok(parse_operations(&document)?)
    }

    /// The newest admin correction of any operation, by its number: a copy
    /// of operations read after it is outdated by any correction above it.
    pub async fn last_operation_edit(&self) -> Result<i64, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(
            "SELECT COALESCE(MAX(edit_id), 0) FROM operation_edits"
        )
        .fetch_one(&pools.read)
        .await?))
    }

    pub async fn count_pending_operations(&self, max_retries: u32) -> Result<i64, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM RETAILASYNCCUSTOMERV2
             WHERE OnlineOperationCompleted = FALSE AND retry_count < $1",
        )
        .bind(i64::from(max_retries))
        .fetch_one(&pools.read)
        .await?))
    }

    /// Which of `temporary_ids` HQ holds.
    pub async fn uploaded_among(&self, temporary_ids: &[String]) -> Result<HashSet<String>, HqDbError> {
        if temporary_ids.is_empty() {
            return Ok(HashSet::new());
        }
        match &self.engine {
            Engine::Sqlite(pools) => held_on_sqlite(&pools.read, temporary_ids).await,
            Engine::Postgres(pools) => {
                let held: Vec<String> = sqlx::query_scalar(
                    "SELECT temporary_id FROM RETAILASYNCCUSTOMERV2 WHERE temporary_id = ANY($1)",
                )
                .bind(temporary_ids)
                .fetch_all(&pools.read)
                .await?;
                Ok(held.into_iter().collect())
            }
        }
    }

    /// The most recent uploaded operations, newest first.
    pub async fn recent_operations(&self, limit: u32) -> Result<Vec<UploadedOperationRow>, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_as(&format!(
            "SELECT {OPERATION_ROW_COLUMNS} FROM {OPERATIONS_WITH_CHANNEL} ORDER BY o.id DESC LIMIT $1"
        ))
        .bind(i64::from(limit))
        .fetch_all(&pools.read)
        .await?))
    }

    /// An uploaded operation with all its rows, as HQ holds it.
    pub async fn uploaded_operation(&self, temporary_id: &str) -> Result<Option<StagedOperation>, HqDbError> {
        let selection = "SELECT * FROM RETAILASYNCCUSTOMERV2 WHERE temporary_id = $1";
        let document: String = on_engine!(self, |pools, sql| sqlx::query_scalar(&operations_document(
            sql, selection
        ))
        .bind(temporary_id)
        .fetch_one(&pools.read)
        .await?);
        Ok(parse_operations(&document)?.pop())
    }
}

/// The operations whose temporary ids are not among `uploaded`.
fn not_in<'a>(operations: &'a [StagedOperation], uploaded: &HashSet<String>) -> Vec<&'a StagedOperation> {
    operations
        .iter()
        .filter(|op| !uploaded.contains(&op.temporary_id))
        .collect()
}

/// The temporary ids of `operations` HQ holds already, from an earlier
/// upload that was not marked in the channel.
async fn already_uploaded(
    conn: &mut SqliteConnection,
    operations: &[StagedOperation],
) -> Result<HashSet<String>, HqDbError> {
    let ids: Vec<&str> = operations.iter().map(|op| op.temporary_id.as_str()).collect();
    held_on_sqlite(&mut *conn, &ids).await
}

/// Which of `temporary_ids` an HQ on SQLite holds, answered as one JSON
/// value rather than a row each.
async fn held_on_sqlite<'e, E>(
    executor: E,
    temporary_ids: &[impl serde::Serialize],
) -> Result<HashSet<String>, HqDbError>
where
    E: sqlx::Executor<'e, Database = Sqlite>,
{
    let ids = serde_json::to_string(temporary_ids).map_err(|error| sqlx::Error::Encode(error.into()))?;
    let found: String = sqlx::query_scalar(
        "SELECT json_group_array(temporary_id) FROM RETAILASYNCCUSTOMERV2
         WHERE temporary_id IN (SELECT value FROM json_each($1))",
    )
    .bind(ids)
    .fetch_one(executor)
    .await?;
    Ok(serde_json::from_str(&found).map_err(|error| sqlx::Error::Decode(error.into()))?)
}

/// A batch of operations to upload with the statements that store them,
/// built before HQ's transaction: the P-job builds the next batch's while
/// HQ stores this one, so HQ's one writer does not wait for them. The
/// statements assume none of the operations is in HQ yet, as when the
/// channel was marked after the last upload; the upload rebuilds them when
/// some are. These are SQLite's multi-row inserts: an HQ on PostgreSQL
/// binds the operations' columns as arrays when it stores them
/// (`unnest_operations`), which takes no building ahead.
pub struct PreparedUpload {
    operations: Vec<StagedOperation>,
    run_id: i64,
    inserts: QueryBuilder<'static, Sqlite>,
}

impl PreparedUpload {
    /// The upload of `operations` by the P-job run `run_id`.
    pub fn new(operations: Vec<StagedOperation>, run_id: i64) -> PreparedUpload {
        let inserts = upload_inserts(&operations.iter().collect::<Vec<_>>(), run_id);
        PreparedUpload {
            operations,
            run_id,
            inserts,
        }
    }

    /// The operations' ids in their channel.
    pub fn ids(&self) -> Vec<i64> {
        self.operations.iter().map(|op| op.id).collect()
    }

    /// The id of the batch's last operation in its channel, if any.
    pub fn last_id(&self) -> Option<i64> {
        self.operations.last().map(|op| op.id)
    }
}

/// The multi-row inserts of the operations' headers and child rows, as one
/// batch.
fn upload_inserts(operations: &[&StagedOperation], run_id: i64) -> QueryBuilder<'static, Sqlite> {
    let head = format!(
        "INSERT INTO RETAILASYNCCUSTOMERV2
            ({OPERATION_COLUMNS}, channel_sequence, created_at, uploaded_at, upload_run_id, {CUSTOMER_COLUMNS},
             {SEARCH_KEY_COLUMNS}) "
    );
    let mut inserts = QueryBuilder::new("");
    push_multi_row_inserts(&mut inserts, &head, operations, 26, |mut row, op| {
        row.push_bind(op.temporary_id.clone())
            .push_bind(op.kind.code())
            .push_bind(op.channel_id)
            .push_bind(op.register_number)
            .push_bind(op.customer_account.clone())
            .push_bind(op.customer_temporary_id.clone())
            .push_bind(op.changed_fields.code())
            .push_bind(op.id)
            .push_bind(op.created_at.clone())
            .push(Dialect::Sqlite.now())
            .push_bind(run_id);
        push_customer(&mut row, &op.customer);
        for key in search_keys(&op.customer) {
            row.push_bind(key);
        }
    });
    let children: Vec<(&str, &CustomerDraft)> = operations
        .iter()
        .map(|op| (op.temporary_id.as_str(), &op.customer))
        .collect();
    push_children_inserts(&mut inserts, &STAGED_CHILD_TABLES, &children);
    inserts
}

/// PostgreSQL's upload of the operations' headers: one statement, each
/// column bound as an array, in the order the operations were made.
async fn unnest_operations(
    conn: &mut PgConnection,
    operations: &[&StagedOperation],
    run_id: i64,
) -> Result<(), sqlx::Error> {
    let customer =
        |value: fn(&CustomerDraft) -> &String| column(operations, |op| value(&op.customer).clone());
    let keys = column(operations, |op| search_keys(&op.customer));
    sqlx::query(&format!(
        "INSERT INTO RETAILASYNCCUSTOMERV2
            ({OPERATION_COLUMNS}, channel_sequence, created_at, uploaded_at, upload_run_id, {CUSTOMER_COLUMNS},
             {SEARCH_KEY_COLUMNS})
         SELECT temporary_id, operation, channel_id, register_number, customer_account, customer_temporary_id,
                changed_fields, channel_sequence, created_at, {now}, $9, {CUSTOMER_COLUMNS}, {SEARCH_KEY_COLUMNS}
         FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $20::text[],
                     $7::bigint[], $8::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
                     $15::text[], $16::text[], $17::text[], $18::text[], $19::text[],
                     $21::text[], $22::text[], $23::text[], $24::text[], $25::text[])
              WITH ORDINALITY AS u (temporary_id, operation, channel_id, register_number, customer_account,
                                    customer_temporary_id, changed_fields, channel_sequence, created_at,
                                    {CUSTOMER_COLUMNS}, {SEARCH_KEY_COLUMNS}, ordinal)
         ORDER BY ordinal",
        now = Dialect::Postgres.now()
    ))
    .bind(column(operations, |op| op.temporary_id.clone()))
    .bind(column(operations, |op| op.kind.code()))
    .bind(column(operations, |op| op.channel_id))
    .bind(column(operations, |op| op.register_number))
    .bind(column(operations, |op| op.customer_account.clone()))
    .bind(column(operations, |op| op.customer_temporary_id.clone()))
    .bind(column(operations, |op| op.id))
    .bind(column(operations, |op| op.created_at.clone()))
    .bind(run_id)
    .bind(column(operations, |op| op.customer.party_type.code()))
    .bind(customer(|c| &c.first_name))
    .bind(customer(|c| &c.middle_name))
    .bind(customer(|c| &c.last_name))
    .bind(customer(|c| &c.organization_name))
    .bind(customer(|c| &c.email))
    .bind(customer(|c| &c.phone))
    .bind(customer(|c| &c.customer_group))
    .bind(customer(|c| &c.language))
    .bind(customer(|c| &c.currency))
    .bind(column(operations, |op| op.changed_fields.code()))
    .bind(column(&keys, |key| key[0].clone()))
    .bind(column(&keys, |key| key[1].clone()))
    .bind(column(&keys, |key| key[2].clone()))
    .bind(column(&keys, |key| key[3].clone()))
    .bind(column(&keys, |key| key[4].clone()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// PostgreSQL's insert of the addresses, contacts, affiliations and
/// attributes of each operation (named by its temporary id): one statement
/// per table, each column bound as an array.
pub(super) async fn unnest_children(
    conn: &mut PgConnection,
    operations: &[(&str, &CustomerDraft)],
) -> Result<(), sqlx::Error> {
    let addresses = child_rows(operations, |customer| &customer.addresses);
    sqlx::query(
        "INSERT INTO RETAILASYNCADDRESSV2
            (temporary_id, line, name, purpose, street, city, state, zip, country_region, is_primary)
         SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
                              $7::text[], $8::text[], $9::text[], $10::boolean[])",
    )
    .bind(column(&addresses, |(id, _, _)| *id))
    .bind(column(&addresses, |(_, line, _)| *line))
    .bind(column(&addresses, |(_, _, a)| a.name.as_str()))
    .bind(column(&addresses, |(_, _, a)| a.purpose.as_str()))
    .bind(column(&addresses, |(_, _, a)| a.street.as_str()))
    .bind(column(&addresses, |(_, _, a)| a.city.as_str()))
    .bind(column(&addresses, |(_, _, a)| a.state.as_str()))
    .bind(column(&addresses, |(_, _, a)| a.zip.as_str()))
    .bind(column(&addresses, |(_, _, a)| a.country_region.as_str()))
    .bind(column(&addresses, |(_, _, a)| a.primary))
    .execute(&mut *conn)
    .await?;

    let contacts = child_rows(operations, |customer| &customer.contacts);
    sqlx::query(
        "INSERT INTO RETAILASYNCCUSTOMERCONTACT (temporary_id, line, contact_type, value, is_primary)
         SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[], $5::boolean[])",
    )
    .bind(column(&contacts, |(id, _, _)| *id))
    .bind(column(&contacts, |(_, line, _)| *line))
    .bind(column(&contacts, |(_, _, c)| c.kind.as_str()))
    .bind(column(&contacts, |(_, _, c)| c.value.as_str()))
    .bind(column(&contacts, |(_, _, c)| c.primary))
    .execute(&mut *conn)
    .await?;

    let affiliations = child_rows(operations, |customer| &customer.affiliations);
    sqlx::query(
        "INSERT INTO RETAILASYNCCUSTOMERAFFILIATION (temporary_id, line, affiliation)
         SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[])",
    )
    .bind(column(&affiliations, |(id, _, _)| *id))
    .bind(column(&affiliations, |(_, line, _)| *line))
    .bind(column(&affiliations, |(_, _, affiliation)| affiliation.as_str()))
    .execute(&mut *conn)
    .await?;

    let attributes = child_rows(operations, |customer| &customer.attributes);
    sqlx::query(
        "INSERT INTO RETAILASYNCCUSTOMERATTRIBUTEV2 (temporary_id, line, name, value)
         SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::text[], $4::text[])",
    )
    .bind(column(&attributes, |(id, _, _)| *id))
    .bind(column(&attributes, |(_, line, _)| *line))
    .bind(column(&attributes, |(_, _, t)| t.name.as_str()))
    .bind(column(&attributes, |(_, _, t)| t.value.as_str()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// One column of `rows`, as an array to bind.
fn column<R, T>(rows: &[R], value: impl Fn(&R) -> T) -> Vec<T> {
    rows.iter().map(value).collect()
}

/// The children of staged operations, written in each engine's bulk form.
pub(super) trait StagedChildren {
    async fn insert_staged_children(
        &mut self,
        operations: &[(&str, &CustomerDraft)],
    ) -> Result<(), sqlx::Error>;
}

impl StagedChildren for SqliteConnection {
    async fn insert_staged_children(
        &mut self,
        operations: &[(&str, &CustomerDraft)],
    ) -> Result<(), sqlx::Error> {
        insert_children(self, operations).await
    }
}

impl StagedChildren for PgConnection {
    async fn insert_staged_children(
        &mut self,
        operations: &[(&str, &CustomerDraft)],
    ) -> Result<(), sqlx::Error> {
        unnest_children(self, operations).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each run of the sync reads the pending operations through the index
    /// of pending ones, not by walking every operation ever synced: SQLite
    /// uses a partial index only for a condition written as the index's own.
    #[tokio::test]
    async fn pending_operations_are_read_through_the_index_of_pending_ones() {
        let dir = tempfile::TempDir::new().expect("a temporary folder");
        let hq = HqDb::open(&dir.path().join("hq.db")).await.expect("HQ opens");
        let Engine::Sqlite(pools) = &hq.engine else {
            panic!("HqDb::open opens SQLite");
        };
        let plan: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(&format!("EXPLAIN QUERY PLAN {PENDING_OPERATIONS}"))
                .bind(0_i64)
                .bind(3_i64)
                .bind(10_i64)
                .fetch_all(&pools.read)
                .await
                .expect("the plan");
        assert!(
            plan.iter()
                .any(|(.., step)| step.contains("retailasynccustomerv2_pending")),
            "{plan:?}"
        );
    }
}
