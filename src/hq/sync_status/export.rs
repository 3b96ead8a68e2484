//! "Export to CSV": the current filtered view of the Customer
//! synchronization status page, every page of it, as a CSV download.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;

use tower_sessions::Session;

use super::view::{Cursor, StatusRow, StatusView};
use crate::access::sessions::require_admin;
use crate::app_state::AppState;
use crate::error::AppError;

/// Rows read per page while exporting.
const EXPORT_PAGE: u32 = 1_000;

const HEADER: [&str; 10] = [
    "Operation",
    "Channel",
    "Created",
    "Temporary ID",
    "Customer account",
    "Name",
    "Status",
    "Error",
    "Retries",
    "Last attempt",
];

pub async fn export_csv(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(error) = require_admin(&session).await {
        return (error.status(), error.to_string()).into_response();
    }
    let mut view = StatusView::from_query(|key| query.get(key).cloned()).first_page();
    if let Err(error) = view.check() {
        let message = match &error {
            AppError::Invalid(fields) => fields.0.values().cloned().collect::<Vec<_>>().join(" "),
            other => other.to_string(),
        };
        return (error.status(), message).into_response();
    }
    let mut csv = csv_line(HEADER.iter().map(|field| field.to_string()));
    loop {
        let page = match crate::cdx::status_page(
            &state.backend.channel,
            &state.backend.hq,
            &view,
            EXPORT_PAGE,
        )
        .await
        {
            Ok(page) => page,
            Err(error) => {
                tracing::error!(%error, "CSV export failed");
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The export could not be read. Try again in a moment.",
                )
                    .into_response();
            }
        };
        for row in &page.rows {
            csv.push_str(&row_line(row));
        }
        match page.next {
            Some(key) => view = view.with_cursor(Cursor::After(key)),
            None => break,
        }
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"customer-synchronization-status.csv\"",
            ),
        ],
        csv,
    )
        .into_response()
}

fn row_line(row: &StatusRow) -> String {
    csv_line(
        [
            row.operation.clone(),
            row.channel.clone(),
            row.created_at.clone(),
            row.temporary_id.clone(),
            row.account.clone().unwrap_or_default(),
            row.name.clone(),
            row.status.caption().to_string(),
            row.error.clone().unwrap_or_default(),
            row.retries.to_string(),
            row.last_attempt.clone().unwrap_or_default(),
        ]
        .into_iter(),
    )
}

/// One CSV record (RFC 4180): fields with a comma, quote or line break are
/// quoted, quotes doubled; a leading `=`, `+`, `-` or `@` is prefixed with
/// `'` so a spreadsheet does not run a name as a formula.
fn csv_line(fields: impl Iterator<Item = String>) -> String {
    let quoted: Vec<String> = fields
        .map(|field| {
            let field = if field.starts_with(['=', '+', '-', '@']) {
                format!("'{field}")
            } else {
                field
            };
            if field.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", field.replace('"', "\"\""))
            } else {
                field
            }
        })
        .collect();
    format!("{}\r\n", quoted.join(","))
}

#[cfg(test)]
mod tests {
    use super::csv_line;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        let line = csv_line(
            [
                "Berg, Karen".to_string(),
                "say \"hi\"".into(),
                "=1+1".into(),
                "plain".into(),
            ]
            .into_iter(),
        );
        assert_eq!(line, "\"Berg, Karen\",\"say \"\"hi\"\"\",'=1+1,plain\r\n");
    }
}
