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

/// Starts the file so that Excel reads it as UTF-8: without it, Excel
/// reads a CSV in the system's code page and garbles names such as "Jørgen".
const BYTE_ORDER_MARK: &str = "\u{FEFF}";

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
    let mut header = String::from(BYTE_ORDER_MARK);
    push_record(&mut header, HEADER);
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
            csv: page_csv(&page.rows),
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

/// One page's rows as CSV records, written into one buffer.
fn page_csv(rows: &[StatusRow]) -> String {
    let mut csv = String::with_capacity(rows.len() * RECORD_BYTES);
    for row in rows {
        push_row(&mut csv, row);
    }
    csv
}

/// About the length of one operation's record, to size a page's buffer.
const RECORD_BYTES: usize = 160;

fn push_row(csv: &mut String, row: &StatusRow) {
    let retries = row.retries.to_string();
    push_record(
        csv,
        [
            row.operation.as_str(),
            row.channel.as_str(),
            row.scale_unit.as_deref().unwrap_or_default(),
            row.created_at.as_str(),
            row.temporary_id.as_str(),
            row.account.as_deref().unwrap_or_default(),
            row.name.as_str(),
            row.status.caption(),
            row.error.as_deref().unwrap_or_default(),
            retries.as_str(),
            row.last_attempt.as_deref().unwrap_or_default(),
        ],
    );
}

/// Appends one CSV record (RFC 4180): fields with a comma, quote or line
/// break are quoted, quotes doubled; a leading `=`, `+`, `-`, `@`, tab or
/// carriage return is prefixed with `'` so a spreadsheet does not run a
/// name as a formula (OWASP's list of CSV injection characters).
fn push_record<'a>(csv: &mut String, fields: impl IntoIterator<Item = &'a str>) {
    for (index, field) in fields.into_iter().enumerate() {
        if index > 0 {
            csv.push(',');
        }
        let quoted = field.contains([',', '"', '\n', '\r']);
        if quoted {
            csv.push('"');
        }
        if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            csv.push('\'');
        }
        for (part_index, part) in field.split('"').enumerate() {
            if part_index > 0 {
                csv.push_str("\"\"");
            }
            csv.push_str(part);
        }
        if quoted {
            csv.push('"');
        }
    }
    csv.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::push_record;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        let mut line = String::new();
        push_record(
            &mut line,
            ["Berg, Karen", "say \"hi\"", "=1+1", "plain", "-1, \"a\"", "\t=2"],
        );
        assert_eq!(
            line,
            "\"Berg, Karen\",\"say \"\"hi\"\"\",'=1+1,plain,\"'-1, \"\"a\"\"\",'\t=2\r\n"
        );
    }
}
