//! The queries of the Customer synchronization status page over HQ's
//! uploaded operations: one keyset page under a view's filters, the counts
//! per status, and the failed operations a view holds.

use sqlx::{Database, Encode, QueryBuilder, Type};

use super::async_operations::{OPERATION_ROW_COLUMNS, OPERATIONS_WITH_CHANNEL};
use super::{HqDb, HqDbError, UploadedOperationRow};
use crate::domain::customer::{numbers_it_ends_with, phone_key};
use crate::domain::operation::OperationStatus;
use crate::domain::status_page::StatusView;
use crate::storage::dialect::Dialect;
use crate::storage::staging_tables::{push_status_filters, push_status_page};

impl HqDb {
    /// Up to `limit` operations of the view's page: those nearest its
    /// cursor in the view's order, in no order of their own (the page sorts
    /// them with the channel's).
    pub async fn status_page_rows(
        &self,
        view: &StatusView,
        limit: u32,
    ) -> Result<Vec<UploadedOperationRow>, HqDbError> {
        if view.status == Some(OperationStatus::PendingUpload) {
            return Ok(Vec::new());
        }
        let document: String = on_engine!(self, |pools, sql| {
            let mut query = QueryBuilder::new(format!(
                "{} SELECT {OPERATION_ROW_COLUMNS} FROM {OPERATIONS_WITH_CHANNEL}",
                rows_document_open(sql)
            ));
            push_filters(&mut query, sql, view, true);
            push_status_page(&mut query, view, limit, "o.", "channel_sequence");
            query.push(") r");
            query.build_query_scalar().fetch_one(&pools.read).await?
        });
        Ok(serde_json::from_str(&document).map_err(|error| sqlx::Error::Decode(error.into()))?)
    }

    /// Operations per status under the view's filters other than the
    /// status: from the counts HQ keeps where they answer the view,
    /// otherwise counted.
    pub async fn status_counts(&self, view: &StatusView) -> Result<Vec<(OperationStatus, i64)>, HqDbError> {
        let counts: Vec<(String, i64)> = on_engine!(self, |pools, sql| {
            let mut query = if view.counts_are_kept() {
                let mut query = QueryBuilder::new(
                    "SELECT o.status, CAST(SUM(o.count) AS BIGINT) FROM operation_counts o WHERE 1 = 1",
                );
                push_kept_count_filters(&mut query, view);
                query
            } else {
                let mut query = QueryBuilder::new("SELECT o.status, COUNT(*) FROM RETAILASYNCCUSTOMERV2 o");
                push_filters(&mut query, sql, view, false);
                query
            };
            query.push(" GROUP BY o.status");
            query.build_query_as().fetch_all(&pools.read).await?
        });
        Ok(counts
            .into_iter()
            .filter_map(|(code, count)| OperationStatus::from_code(&code).map(|status| (status, count)))
            .collect())
    }

    /// The failed operations under the view's filters (whatever its status
    /// filter) after the operation number `after_id`, oldest first, at most
    /// `limit`: their numbers and temporary ids.
    pub async fn failed_operation_ids(
        &self,
        view: &StatusView,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<(i64, String)>, HqDbError> {
        let failed = view.with_status(Some(OperationStatus::Failed));
        on_engine!(self, |pools, sql| {
            let mut query = QueryBuilder::new("SELECT o.id, o.temporary_id FROM RETAILASYNCCUSTOMERV2 o");
            push_filters(&mut query, sql, &failed, true);
            query
                .push(" AND o.id > ")
                .push_bind(after_id)
                .push(" ORDER BY o.id LIMIT ")
                .push_bind(i64::from(limit));
            Ok(query.build_query_as().fetch_all(&pools.read).await?)
        })
    }
}

/// The opening of a query around `SELECT OPERATION_ROW_COLUMNS …`, which
/// `) r` closes, that answers its rows as one JSON document: an array of
/// each row's values in `UploadedOperationRow`'s field order. SQLite's
/// thread then hands over one value instead of a message per row, which
/// was most of the time of the CSV export's pages of a thousand
/// (BENCHMARKS.md).
fn rows_document_open(dialect: Dialect) -> String {
    match dialect {
        Dialect::Sqlite => format!(
            "SELECT json_group_array(json_array({})) FROM (",
            row_values("CASE WHEN r.online_operation_completed THEN json('true') ELSE json('false') END")
        ),
        Dialect::Postgres => format!(
            "SELECT COALESCE(json_agg(json_build_array({})), '[]')::text FROM (",
            row_values("r.online_operation_completed")
        ),
    }
}

/// A row's values in `UploadedOperationRow`'s field order, its completed
/// flag written as `completed` (a JSON boolean).
fn row_values(completed: &str) -> String {
    format!(
        "r.id, r.temporary_id, r.operation, r.channel, r.created_at, r.channel_sequence, r.name,
         r.customer_account, r.customer_temporary_id, {completed}, r.account, r.error, r.retry_count,
         r.last_attempt_at, r.scale_unit, r.waits_for"
    )
}

/// The view's channel and kind of operation, the filters the kept counts
/// are kept by.
fn push_kept_count_filters<'a, DB: Database>(query: &mut QueryBuilder<'a, DB>, view: &StatusView)
where
    String: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
{
    if let Some(channel_id) = view.channel_id {
        query.push(" AND o.channel_id = ").push_bind(channel_id);
    }
    if let Some(kind) = view.operation {
        query
            .push(" AND o.operation = ")
            .push_bind(kind.code().to_string());
    }
}

/// ` WHERE …` for the view's channel, scale unit (that of the P-job run
/// that uploaded the operation), operation, days, search and, when
/// `with_status`, status.
fn push_filters<'a, DB: Database>(
    query: &mut QueryBuilder<'a, DB>,
    dialect: Dialect,
    view: &StatusView,
    with_status: bool,
) where
    String: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
{
    query.push(" WHERE 1 = 1");
    if with_status && let Some(status) = view.status {
        query
            .push(" AND o.status = ")
            .push_bind(status.code().to_string());
    }
    push_status_filters(query, dialect, view, "o.");
    if let Some(unit) = &view.scale_unit {
        query
            .push(" AND o.upload_run_id IN (SELECT run_id FROM job_runs WHERE scale_unit = ")
            .push_bind(unit.clone())
            .push(")");
    }
    if let Some(term) = view.search_key() {
        push_search(query, view, &term);
    }
}

/// Exact temporary ids and accounts (also the account a pending customer's
/// create got, for its changes), prefixes of names and emails (their keys, folded as
/// the term is), phones by their last digits (their keys, the digits from the last) or
/// as the end of a longer number typed,
/// each a range of its own index (empty names and phones are left out of theirs), and a full
/// name by its last name's range. The matches are gathered by id first, so
/// the database looks them up through those indexes and sorts the few it
/// finds, rather than walking a million operations in time order to test
/// each one.
fn push_search<'a, DB: Database>(query: &mut QueryBuilder<'a, DB>, view: &StatusView, folded: &str)
where
    String: Encode<'a, DB> + Type<DB>,
{
    let upper = view.search.trim().to_ascii_uppercase();
    let end = format!("{folded}\u{10FFFF}");
    let exact = [
        ("temporary_id", folded.to_string()),
        ("customer_temporary_id", folded.to_string()),
        ("account", upper.clone()),
        ("customer_account", upper.clone()),
    ];
    query.push(" AND o.id IN (");
    for (i, (column, value)) in exact.into_iter().enumerate() {
        if i > 0 {
            query.push(" UNION ALL ");
        }
        query
            .push(format!("SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE {column} = "))
            .push_bind(value);
    }
    // A change staged while its customer was pending names it by the
    // temporary id of its create: found by the account that create got.
    query
        .push(
            " UNION ALL SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE customer_temporary_id = \
             (SELECT async_customer_id FROM customers WHERE account = ",
        )
        .push_bind(upper)
        .push(")");
    for key in ["email_key", "last_name_key", "first_name_key", "organization_key"] {
        query
            .push(format!(
                " UNION ALL SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE {key} >= "
            ))
            .push_bind(folded.to_string())
            .push(format!(" AND {key} < "))
            .push_bind(end.clone())
            .push(format!(" AND {key} <> ''"));
    }
    if let Some(digits) = view.search_phone_digits() {
        let key = phone_key(&digits);
        query
            .push(" UNION ALL SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE phone_key >= ")
            .push_bind(key.clone())
            .push(" AND phone_key < ")
            .push_bind(format!("{key}\u{10FFFF}"))
            .push(" AND phone_key <> ''");
        let shorter = numbers_it_ends_with(&digits);
        if !shorter.is_empty() {
            query.push(" UNION ALL SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE phone_key IN (");
            let mut keys = query.separated(", ");
            for number in shorter {
                keys.push_bind(phone_key(&number));
            }
            query.push(") AND phone_key <> ''");
        }
    }
    if let Some((first, last)) = view.search_full_name() {
        query
            .push(" UNION ALL SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE last_name_key >= ")
            .push_bind(last.clone())
            .push(" AND last_name_key < ")
            .push_bind(format!("{last}\u{10FFFF}"))
            .push(" AND first_name_key >= ")
            .push_bind(first.clone())
            .push(" AND first_name_key < ")
            .push_bind(format!("{first}\u{10FFFF}"));
    }
    query.push(")");
}
