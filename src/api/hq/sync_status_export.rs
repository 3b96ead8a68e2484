//! "Export to CSV": the current filtered view of the Customer
//! synchronization status page, every page of it, as a CSV download that
//! streams: a million operations take the memory of one page.

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{Stream, StreamExt, stream};
use tower_sessions::Session;

use crate::api::app_state::AppState;
use crate::api::sessions::require_admin;
use crate::domain::status_page::{Cursor, PageKey, StatusRow, StatusView};
use crate::error::AppError;
use crate::services::backend::Backend;

/// Rows read per page while exporting (also by the bench's floor of the
/// export).
pub const EXPORT_PAGE: u32 = 1_000;

const HEADER: [&str; 11] = [
    "Operation",
    "Channel",
    "Scale unit",
    "Created",
    "Temporary ID",
    "Customer account",
    "Name",
    "Status",
    "Error",
    "Retries",
    "Last attempt",
];

/// Streams the view page after page: one page of rows in memory at a time,
/// whatever the view holds, and no counts (the list alone is exported).
pub async fn export_csv(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(error) = require_admin(&session).await {
        return (error.status(), error.to_string()).into_response();
    }
    let view = StatusView::from_query(|key| query.get(key).cloned()).first_page();
    if let Err(error) = view.check() {
        let message = match &error {
            AppError::Invalid(fields) => fields.0.values().cloned().collect::<Vec<_>>().join(" "),
            other => other.to_string(),
        };
        return (error.status(), message).into_response();
    }
    // The first page is read before answering, so that a database that
    // cannot be read gets a 500 with a sentence, not a broken download.
    let first = match read_page(&state.backend, &view).await {
        Ok(first) => first,
        Err(error) => return error.into_response(),
    };
    let header = csv_line(HEADER.iter().map(|field| field.to_string()));
    let body = stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(header)) })
        .chain(stream::once(async move { Ok(Bytes::from(first.csv)) }))
        .chain(following_pages(state.backend.clone(), view, first.next));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"customer-synchronization-status.csv\"",
            ),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

/// One page of the export as CSV records, and where the next one starts.
struct CsvPage {
    csv: String,
    next: Option<PageKey>,
}

async fn read_page(backend: &Backend, view: &StatusView) -> Result<CsvPage, (StatusCode, &'static str)> {
    match crate::services::cdx::status_rows(&backend.channel, &backend.hq, view, EXPORT_PAGE).await {
        Ok(page) => Ok(CsvPage {
            csv: page.rows.iter().map(row_line).collect(),
            next: page.next,
        }),
        Err(error) => {
            tracing::error!(%error, "CSV export failed");
            Err((
                StatusCode::INTERNAL_SERVER_ERROR,
                "The export could not be read. Try again in a moment.",
            ))
        }
    }
}

/// The pages after the first, read one at a time as the client takes
/// them; a page that cannot be read ends the download with an error.
fn following_pages(
    backend: Backend,
    view: StatusView,
    next: Option<PageKey>,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    stream::unfold(next, move |next| {
        let (backend, view) = (backend.clone(), view.clone());
        async move {
            let key = next?;
            match read_page(&backend, &view.with_cursor(Cursor::After(key))).await {
                Ok(page) => Some((Ok(Bytes::from(page.csv)), page.next)),
                Err((_, message)) => Some((Err(std::io::Error::other(message)), None)),
            }
        }
    })
}

fn row_line(row: &StatusRow) -> String {
    csv_line(
        [
            row.operation.clone(),
            row.channel.clone(),
            row.scale_unit.clone().unwrap_or_default(),
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
