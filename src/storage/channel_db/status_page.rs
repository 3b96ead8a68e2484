//! The operations still waiting in the channel for the P-job, as the
//! Customer synchronization status page lists and counts them.

use sqlx::{QueryBuilder, Sqlite};

use super::customers::PHONE_DIGITS;
use super::{ChannelDb, ChannelDbError, to_json};
use crate::domain::customer::{numbers_it_ends_with, prefix_pattern};
use crate::domain::operation::OperationStatus;
use crate::domain::records::StagedOperation;
use crate::domain::status_page::StatusView;
use crate::storage::dialect::Dialect;
use crate::storage::staging_tables::{HEADER_COLUMNS, HeaderRow, push_status_filters, push_status_page};

impl ChannelDb {
    /// Up to `limit` operations waiting for upload on the view's page, in
    /// the view's order, without their child rows.
    pub async fn pending_upload_page(
        &self,
        view: &StatusView,
        limit: u32,
        in_hq: &[String],
    ) -> Result<Vec<StagedOperation>, ChannelDbError> {
        if view
            .status
            .is_some_and(|status| status != OperationStatus::PendingUpload)
            || !self.in_view(view)
        {
            return Ok(Vec::new());
        }
        let mut query = QueryBuilder::new(format!("SELECT {HEADER_COLUMNS} FROM RETAILASYNCCUSTOMERV2"));
        push_filters(&mut query, view, in_hq)?;
        let backwards = push_status_page(&mut query, view, limit, "", "id");
        let headers: Vec<HeaderRow> = query.build_query_as().fetch_all(&self.pools.read).await?;
        let mut operations = headers
            .into_iter()
            .map(HeaderRow::into_operation)
            .collect::<Result<Vec<_>, _>>()?;
        if backwards {
            operations.reverse();
        }
        Ok(operations)
    }

    /// How many operations under the view's filters (its status aside) wait
    /// for the P-job.
    pub async fn count_pending_upload(
        &self,
        view: &StatusView,
        in_hq: &[String],
    ) -> Result<i64, ChannelDbError> {
        if !self.in_view(view) {
            return Ok(0);
        }
        let mut query = QueryBuilder::new("SELECT COUNT(*) FROM RETAILASYNCCUSTOMERV2");
        push_filters(&mut query, view, in_hq)?;
        Ok(query.build_query_scalar().fetch_one(&self.pools.read).await?)
    }
}

impl ChannelDb {
    /// Whether the view's scale unit filter lets this unit's operations in.
    fn in_view(&self, view: &StatusView) -> bool {
        view.scale_unit
            .as_deref()
            .is_none_or(|unit| unit == self.scale_unit())
    }
}

/// Operations not uploaded yet are few (the P-job runs every few minutes),
/// so the filters read them through the `uploaded` index alone. Those of
/// `in_hq` HQ holds already (the P-job has stored them and not yet marked
/// them here) are left out: HQ's copy is listed.
fn push_filters(
    query: &mut QueryBuilder<'_, Sqlite>,
    view: &StatusView,
    in_hq: &[String],
) -> Result<(), ChannelDbError> {
    query.push(" WHERE uploaded = 0");
    if !in_hq.is_empty() {
        query
            .push(" AND temporary_id NOT IN (SELECT value FROM json_each(")
            .push_bind(to_json(in_hq)?)
            .push("))");
    }
    push_status_filters(query, Dialect::Sqlite, view, "");
    if let Some(term) = view.search_key() {
        query.push(" AND (temporary_id = ").push_bind(term.clone());
        query.push(" OR customer_temporary_id = ").push_bind(term.clone());
        query
            .push(" OR customer_account = ")
            .push_bind(view.search.trim().to_ascii_uppercase());
        for column in ["email", "last_name", "first_name", "organization_name"] {
            query
                .push(format!(" OR {column} REGEXP "))
                .push_bind(prefix_pattern(&term));
        }
        if let Some(digits) = view.search_phone_digits() {
            query
                .push(format!(" OR {PHONE_DIGITS} LIKE "))
                .push_bind(format!("%{digits}"))
                .push(format!(" OR {PHONE_DIGITS} IN (SELECT value FROM json_each("))
                .push_bind(to_json(&numbers_it_ends_with(&digits))?)
                .push("))");
        }
        if let Some((first, last)) = view.search_full_name() {
            query
                .push(" OR (first_name REGEXP ")
                .push_bind(prefix_pattern(&first))
                .push(" AND last_name REGEXP ")
                .push_bind(prefix_pattern(&last))
                .push(")");
        }
        query.push(")");
    }
    Ok(())
}
