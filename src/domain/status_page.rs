//! What the Customer synchronization status page shows: its filters, search,
//! order and page, all carried by the URL so that any view can be shared.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};

use crate::domain::customer::{CustomerSearch, fold_case};
use crate::domain::operation::OperationStatus;
use crate::domain::records::OperationKind;
use crate::domain::scale_units::MAX_SCALE_UNIT_NAME;
use crate::error::{AppError, FieldErrors};

/// Rows on one page of the list.
pub const PAGE_SIZE: u32 = 50;

/// Where the page is: Retail and Commerce > Customers.
pub const PATH: &str = "/hq/customer-synchronization-status";

/// A row's place in the list: operations are ordered by the time they were
/// made in the channel, then by the number their channel database gave
/// them (operations staged together share a time), then by temporary id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageKey {
    pub created_at: String,
    pub sequence: i64,
    pub temporary_id: String,
}

impl PageKey {
    /// `2026-11-25T10:00:00.000Z~<sequence>~<temporary id>`, as the URL carries it.
    pub fn to_param(&self) -> String {
        format!("{}~{}~{}", self.created_at, self.sequence, self.temporary_id)
    }

    pub fn from_param(param: &str) -> Option<PageKey> {
        let mut parts = param.splitn(3, '~');
        let (created_at, sequence, temporary_id) = (parts.next()?, parts.next()?, parts.next()?);
        let sequence = sequence.parse().ok()?;
        (!created_at.is_empty() && !temporary_id.is_empty()).then(|| PageKey {
            created_at: created_at.to_string(),
            sequence,
            temporary_id: temporary_id.to_string(),
        })
    }
}

/// Which way a page goes from its cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cursor {
    /// The rows that follow this key in the list's order.
    After(PageKey),
    /// The rows that precede it (paging back).
    Before(PageKey),
}

/// The longest search term the page takes.
pub const MAX_SEARCH: usize = 100;

/// One view of the list: filters, search, order and page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusView {
    pub status: Option<OperationStatus>,
    pub channel_id: Option<i64>,
    /// The scale unit whose channel database staged the operations.
    pub scale_unit: Option<String>,
    pub operation: Option<OperationKind>,
    /// First and last day shown, `YYYY-MM-DD`, inclusive; empty for no limit.
    pub from: String,
    pub to: String,
    /// Name, email, temporary id or customer account.
    pub search: String,
    pub oldest_first: bool,
    pub cursor: Option<Cursor>,
}

impl StatusView {
    /// Reads a view from the URL's query parameters; what is not understood
    /// is left out rather than refused, so an old link still opens.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> StatusView {
        let text = |key: &str| get(key).map(|value| value.trim().to_string()).unwrap_or_default();
        let cursor = get("after")
            .and_then(|param| PageKey::from_param(&param))
            .map(Cursor::After)
            .or_else(|| {
                get("before")
                    .and_then(|param| PageKey::from_param(&param))
                    .map(Cursor::Before)
            });
        StatusView {
            status: get("status").and_then(|code| OperationStatus::from_code(&code)),
            channel_id: get("channel").and_then(|id| id.parse().ok()),
            scale_unit: get("unit")
                .map(|unit| unit.trim().chars().take(MAX_SCALE_UNIT_NAME).collect::<String>())
                .filter(|unit| !unit.is_empty()),
            operation: get("operation").and_then(|code| OperationKind::from_code(&code)),
            from: text("from").chars().take(MAX_DAY_TEXT).collect(),
            to: text("to").chars().take(MAX_DAY_TEXT).collect(),
            search: text("q").chars().take(MAX_SEARCH).collect(),
            oldest_first: get("order").as_deref() == Some("oldest"),
            cursor,
        }
    }

    /// The URL query of this view, `?status=failed&q=berg`, empty for the
    /// plain first page.
    pub fn to_query(&self) -> String {
        let pairs = self.query_pairs();
        if pairs.is_empty() {
            return String::new();
        }
        let query: Vec<String> = pairs
            .into_iter()
            .map(|(key, value)| format!("{key}={}", encode_component(&value)))
            .collect();
        format!("?{}", query.join("&"))
    }

    /// The URL query's parameters, for a form that carries the view along
    /// in hidden fields.
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs: Vec<(&'static str, String)> = Vec::new();
        if let Some(status) = self.status {
            pairs.push(("status", status.code().to_string()));
        }
        if let Some(channel_id) = self.channel_id {
            pairs.push(("channel", channel_id.to_string()));
        }
        if let Some(unit) = &self.scale_unit {
            pairs.push(("unit", unit.clone()));
        }
        if let Some(operation) = self.operation {
            pairs.push(("operation", operation.code().to_string()));
        }
        for (key, value) in [("from", &self.from), ("to", &self.to), ("q", &self.search)] {
            if !value.is_empty() {
                pairs.push((key, value.clone()));
            }
        }
        if self.oldest_first {
            pairs.push(("order", "oldest".to_string()));
        }
        match &self.cursor {
            Some(Cursor::After(key)) => pairs.push(("after", key.to_param())),
            Some(Cursor::Before(key)) => pairs.push(("before", key.to_param())),
            None => {}
        }
        pairs
    }

    /// The same filters from the first page.
    pub fn first_page(&self) -> StatusView {
        StatusView {
            cursor: None,
            ..self.clone()
        }
    }

    /// The same filters with another status (none for all).
    pub fn with_status(&self, status: Option<OperationStatus>) -> StatusView {
        StatusView {
            status,
            cursor: None,
            ..self.clone()
        }
    }

    pub fn with_cursor(&self, cursor: Cursor) -> StatusView {
        StatusView {
            cursor: Some(cursor),
            ..self.clone()
        }
    }

    /// Refuses a view the page never sends (a search term that is too
    /// long), and days that are not days of the calendar, with a message
    /// for each of those fields.
    pub fn check(&self) -> Result<(), AppError> {
        if self.search.chars().count() > MAX_SEARCH {
            return Err(AppError::BadRequest(format!(
                "A search term can have at most {MAX_SEARCH} characters."
            )));
        }
        // None of them can hold one, and PostgreSQL's text cannot hold NUL.
        let key = self
            .cursor
            .as_ref()
            .map(|(Cursor::After(key) | Cursor::Before(key))| key);
        let texts = [
            Some(self.search.as_str()),
            self.scale_unit.as_deref(),
            key.map(|key| key.created_at.as_str()),
            key.map(|key| key.temporary_id.as_str()),
        ];
        if texts
            .into_iter()
            .flatten()
            .any(|text| text.chars().any(char::is_control))
        {
            return Err(AppError::BadRequest(
                "A search term, scale unit or page link cannot contain control characters.".to_string(),
            ));
        }
        let day_errors = self.day_errors();
        if day_errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(day_errors))
        }
    }

    /// A message for "Created from" (`from`) and "Created to" (`to`) when
    /// either is not a day of the calendar written `YYYY-MM-DD`, or "Created
    /// to" is before "Created from" (a list that could only be empty).
    pub fn day_errors(&self) -> FieldErrors {
        let mut errors = FieldErrors::default();
        for (field, day) in [("from", &self.from), ("to", &self.to)] {
            if !day.is_empty() && !is_calendar_day(day) {
                errors.add(
                    field,
                    "Enter a day of the calendar from 0001-01-01 to 9998-12-31, as YYYY-MM-DD (2026-11-30).",
                );
            }
        }
        // Days written YYYY-MM-DD are in the calendar's order as text.
        if errors.is_empty() && !self.from.is_empty() && !self.to.is_empty() && self.to < self.from {
            errors.add(
                "to",
                format!("Created to is before Created from ({}).", self.from),
            );
        }
        errors
    }

    /// The search term folded as HQ's search keys of names and emails are
    /// (`fold_case`): "öberg" finds "Öberg".
    pub fn search_key(&self) -> Option<String> {
        let term = self.search.trim();
        (!term.is_empty()).then(|| fold_case(term))
    }

    /// The search term's digits when it is written as a phone number or
    /// its last digits (at least three): it finds the phones that end with
    /// them, however they were written (HQ by their `phone_key`).
    pub fn search_phone_digits(&self) -> Option<String> {
        CustomerSearch::new(&self.search).phone_digits
    }

    /// A full name typed in the search box ("Eve Berg"), folded as
    /// `search_key`: its first word a prefix of the first name, the rest a
    /// prefix of the last name.
    pub fn search_full_name(&self) -> Option<(String, String)> {
        let key = self.search_key()?;
        let (first, last) = key.split_once(char::is_whitespace)?;
        Some((first.to_string(), last.trim_start().to_string()))
    }

    /// Whether HQ's kept counts (per channel, kind of operation and
    /// status) answer the view's counts: they do unless the view also
    /// narrows by days, scale unit or search, which only a count of the
    /// matching operations answers.
    pub fn counts_are_kept(&self) -> bool {
        self.from.is_empty() && self.to.is_empty() && self.scale_unit.is_none() && self.search_key().is_none()
    }
}

/// The longest day text a URL keeps: enough for the message to quote what
/// was typed, not a way to send a long text.
const MAX_DAY_TEXT: usize = 20;

/// The years a filter's day can be in: a "Created to" day is compared as
/// "before its next day", which PostgreSQL cannot take in year 0 and
/// SQLite cannot reach from 9999-12-31.
const DAY_YEARS: std::ops::RangeInclusive<i32> = 1..=9998;

/// A day that exists, written `YYYY-MM-DD`, in `DAY_YEARS`: 2024-02-29 is
/// one, 2024-13-01 and 2023-02-29 are not.
fn is_calendar_day(text: &str) -> bool {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let number = |range: std::ops::Range<usize>| text.get(range).and_then(|part| part.parse::<u8>().ok());
    let (Some(year), Some(month), Some(day)) = (
        text.get(0..4).and_then(|part| part.parse::<i32>().ok()),
        number(5..7),
        number(8..10),
    ) else {
        return false;
    };
    shaped
        && DAY_YEARS.contains(&year)
        && time::Month::try_from(month)
            .and_then(|month| time::Date::from_calendar_date(year, month, day))
            .is_ok()
}

/// RFC 3986's unreserved characters, which a query value keeps as they are.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a query value.
pub fn encode_component(value: &str) -> String {
    utf8_percent_encode(value, UNRESERVED).to_string()
}

/// How many operations are in each status under a view's other filters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub pending_upload: i64,
    pub pending_sync: i64,
    pub synced: i64,
    pub failed: i64,
}

impl StatusCounts {
    /// These counts with HQ's per status (`counts`) for the statuses of
    /// uploaded operations.
    pub fn with_uploaded(mut self, counts: Vec<(OperationStatus, i64)>) -> StatusCounts {
        for (status, count) in counts {
            match status {
                OperationStatus::PendingSync => self.pending_sync = count,
                OperationStatus::Synced => self.synced = count,
                OperationStatus::Failed => self.failed = count,
                OperationStatus::PendingUpload => {}
            }
        }
        self
    }

    pub fn of(&self, status: OperationStatus) -> i64 {
        match status {
            OperationStatus::PendingUpload => self.pending_upload,
            OperationStatus::PendingSync => self.pending_sync,
            OperationStatus::Synced => self.synced,
            OperationStatus::Failed => self.failed,
        }
    }

    pub fn total(&self) -> i64 {
        self.pending_upload + self.pending_sync + self.synced + self.failed
    }
}

/// One operation as a row of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRow {
    /// The operation's own temporary id: its key, and what Synchronize names.
    pub operation_id: String,
    pub operation: String,
    pub channel: String,
    /// The scale unit whose channel database staged it; None for an
    /// operation uploaded by a run recorded without one.
    pub scale_unit: Option<String>,
    pub created_at: String,
    /// The number its channel database gave it: the order of operations
    /// made at one time.
    pub sequence: i64,
    /// The customer's temporary id: the create's own, or the one an update
    /// or address addition names.
    pub temporary_id: String,
    pub account: Option<String>,
    pub name: String,
    pub status: OperationStatus,
    pub error: Option<String>,
    pub retries: i64,
    pub last_attempt: Option<String>,
}

impl StatusRow {
    pub fn key(&self) -> PageKey {
        PageKey {
            created_at: self.created_at.clone(),
            sequence: self.sequence,
            temporary_id: self.operation_id.clone(),
        }
    }

    /// Uploaded and not completed: Synchronize can process it now.
    pub fn can_synchronize(&self) -> bool {
        self.status.can_synchronize()
    }
}

/// A channel as the channel filter offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelOption {
    pub channel_id: i64,
    pub name: String,
}

/// What the channel and scale unit filters offer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterOptions {
    pub channels: Vec<ChannelOption>,
    /// Every scale unit that has started against HQ, by name.
    pub scale_units: Vec<String>,
}

/// One page of the list with the counts above it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusPage {
    pub rows: Vec<StatusRow>,
    pub counts: StatusCounts,
    /// The cursors of the pages before and after this one, if there are any.
    pub previous: Option<PageKey>,
    pub next: Option<PageKey>,
}

/// Merges the rows of both databases, each already in the view's order and
/// each holding up to `page_size + 1` rows nearest the cursor, into the page.
/// An operation the P-job uploaded between the two reads is in both: it is
/// listed once, as HQ holds it.
pub fn merge_page(
    view: &StatusView,
    mut rows: Vec<StatusRow>,
    page_size: usize,
) -> (Vec<StatusRow>, Option<PageKey>, Option<PageKey>) {
    rows.sort_by(|a, b| {
        let order =
            (&a.created_at, a.sequence, &a.operation_id).cmp(&(&b.created_at, b.sequence, &b.operation_id));
        if view.oldest_first { order } else { order.reverse() }
    });
    rows.dedup_by(|later, kept| {
        let same = later.operation_id == kept.operation_id;
        if same && kept.status == OperationStatus::PendingUpload {
            std::mem::swap(later, kept);
        }
        same
    });
    let more = rows.len() > page_size;
    match &view.cursor {
        Some(Cursor::Before(_)) => {
            let start = rows.len().saturating_sub(page_size);
            let page: Vec<StatusRow> = rows.split_off(start);
            let previous = more.then(|| page.first().map(StatusRow::key)).flatten();
            let next = page.last().map(StatusRow::key);
            (page, previous, next)
        }
        cursor => {
            rows.truncate(page_size);
            let previous = cursor.as_ref().and(rows.first().map(StatusRow::key));
            let next = more.then(|| rows.last().map(StatusRow::key)).flatten();
            (rows, previous, next)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::collections::HashMap;

    fn searching(term: &str) -> StatusView {
        StatusView {
            search: term.into(),
            ..StatusView::default()
        }
    }

    #[test]
    fn a_full_name_searches_first_and_last_names() {
        let search = |term: &str| searching(term).search_full_name();
        assert_eq!(search(" Eve  Berg "), Some(("eve".into(), "berg".into())));
        assert_eq!(search("Eve van Berg"), Some(("eve".into(), "van berg".into())));
        assert_eq!(search("Berg"), None);
        assert_eq!(search("  "), None);
    }

    #[test]
    fn created_to_before_created_from_is_named_beside_created_to() {
        let days = |from: &str, to: &str| StatusView {
            from: from.into(),
            to: to.into(),
            ..StatusView::default()
        };
        assert_eq!(
            days("2026-12-08", "2026-12-01").day_errors().get("to"),
            Some("Created to is before Created from (2026-12-08).")
        );
        assert!(
            days("2026-12-01", "2026-12-01").day_errors().is_empty(),
            "one day"
        );
        assert!(days("2026-12-01", "").day_errors().is_empty());
        assert_eq!(
            days("2026-12-08", "2026-13-01").day_errors().0.len(),
            1,
            "the day itself first"
        );
    }

    #[test]
    fn a_phone_number_or_its_last_digits_search_phones_from_their_end() {
        let search = |term: &str| searching(term).search_phone_digits();
        assert_eq!(search(" 713-555-0150 ").as_deref(), Some("7135550150"));
        assert_eq!(search("0150").as_deref(), Some("0150"));
        assert_eq!(search("50"), None, "too few digits");
        assert_eq!(search("Berg"), None);
        assert_eq!(search("C000123"), None, "an account");
    }

    #[test]
    fn counts_are_kept_for_channel_and_kind_but_not_for_days_units_or_search() {
        assert!(parse("").counts_are_kept());
        assert!(parse("?status=failed&channel=2&operation=update").counts_are_kept());
        assert!(parse("?q=%20%20").counts_are_kept());
        assert!(!parse("?q=ana").counts_are_kept());
        assert!(!parse("?from=2026-01-15").counts_are_kept());
        assert!(!parse("?to=2026-01-15").counts_are_kept());
        assert!(!parse("?unit=Houston").counts_are_kept());
    }

    fn parse(query: &str) -> StatusView {
        let pairs: HashMap<String, String> = query
            .trim_start_matches('?')
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .map(|(key, value)| (key.to_string(), decode(value)))
            .collect();
        StatusView::from_query(|key| pairs.get(key).cloned())
    }

    fn decode(value: &str) -> String {
        let mut bytes = Vec::new();
        let mut rest = value.as_bytes();
        while let Some((&byte, tail)) = rest.split_first() {
            if byte == b'%' && tail.len() >= 2 {
                let hex = std::str::from_utf8(&tail[..2]).unwrap();
                bytes.push(u8::from_str_radix(hex, 16).unwrap());
                rest = &tail[2..];
            } else {
                bytes.push(byte);
                rest = tail;
            }
        }
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn a_view_survives_its_url() {
        let view = StatusView {
            status: Some(OperationStatus::Failed),
            channel_id: Some(2),
            scale_unit: Some("Seattle & Portland".into()),
            operation: Some(OperationKind::AddAddress),
            from: "2026-11-01".into(),
            to: "2026-11-30".into(),
            search: "Berg & Søn".into(),
            oldest_first: true,
            cursor: Some(Cursor::Before(PageKey {
                created_at: "2026-11-25T10:00:00.000Z".into(),
                sequence: 7,
                temporary_id: "abc".into(),
            })),
        };
        assert_eq!(parse(&view.to_query()), view);
    }

    #[test]
    fn the_plain_first_page_has_no_query() {
        assert_eq!(StatusView::default().to_query(), "");
        assert_eq!(parse(""), StatusView::default());
    }

    #[test]
    fn what_is_not_understood_is_left_out() {
        let view = parse("?status=lost&channel=x&after=nokey&q=%20ana%20");
        assert_eq!(
            view,
            StatusView {
                search: "ana".into(),
                ..StatusView::default()
            }
        );
    }

    #[test]
    fn a_day_that_is_not_in_the_calendar_gets_a_message_beside_its_field() {
        for day in ["2024-02-29", "2026-12-31", "2026-01-01"] {
            assert!(is_calendar_day(day), "{day}");
        }
        for day in [
            "2024-13-01",
            "2023-02-29",
            "2026-04-31",
            "2026-00-10",
            "2026-01-00",
            "yesterday",
            "2026-1-01",
            // Beyond the days both HQ engines can take the next day of (a
            // "Created to" day is compared as before its next day):
            // PostgreSQL has no year 0, SQLite no year 10000.
            "0000-01-01",
            "9999-12-31",
        ] {
            assert!(!is_calendar_day(day), "{day}");
        }
        let view = parse("?from=2026-11-01&to=2024-13-01");
        assert_eq!(view.to, "2024-13-01", "kept, to be shown with its message");
        let Err(AppError::Invalid(errors)) = view.check() else {
            panic!("a day out of the calendar must be refused");
        };
        assert_eq!(errors.get("from"), None);
        assert!(errors.get("to").is_some_and(|m| m.contains("YYYY-MM-DD")));
    }

    #[test]
    fn changing_the_status_returns_to_the_first_page() {
        let view = StatusView {
            cursor: Some(Cursor::After(PageKey {
                created_at: "t".into(),
                sequence: 1,
                temporary_id: "x".into(),
            })),
            ..StatusView::default()
        };
        assert_eq!(view.with_status(Some(OperationStatus::Synced)).cursor, None);
    }

    fn row(created_at: &str, id: &str) -> StatusRow {
        StatusRow {
            scale_unit: None,
            operation_id: id.into(),
            operation: "Create customer".into(),
            channel: "Seattle".into(),
            created_at: created_at.into(),
            sequence: 0,
            temporary_id: id.into(),
            account: None,
            name: "Ana".into(),
            status: OperationStatus::PendingSync,
            error: None,
            retries: 0,
            last_attempt: None,
        }
    }

    fn ids(rows: &[StatusRow]) -> Vec<&str> {
        rows.iter().map(|row| row.operation_id.as_str()).collect()
    }

    #[test]
    fn rows_of_both_databases_merge_newest_first_into_one_page() {
        let rows = vec![row("t1", "a"), row("t4", "d"), row("t3", "c"), row("t2", "b")];
        let (page, previous, next) = merge_page(&StatusView::default(), rows, 3);
        assert_eq!(ids(&page), ["d", "c", "b"]);
        assert_eq!(previous, None);
        assert_eq!(next, Some(row("t2", "b").key()));
    }

    #[test]
    fn an_operation_read_from_both_databases_is_listed_once_as_hq_holds_it() {
        let waiting = StatusRow {
            status: OperationStatus::PendingUpload,
            ..row("t2", "b")
        };
        for rows in [
            vec![row("t1", "a"), waiting.clone(), row("t2", "b"), row("t3", "c")],
            vec![row("t2", "b"), row("t3", "c"), row("t1", "a"), waiting.clone()],
        ] {
            let (page, _, next) = merge_page(&StatusView::default(), rows, 2);
            assert_eq!(ids(&page), ["c", "b"]);
            assert_eq!(page[1].status, OperationStatus::PendingSync);
            assert_eq!(next, Some(row("t2", "b").key()), "a is on the next page");
        }
    }

    #[test]
    fn paging_back_keeps_the_rows_nearest_the_cursor() {
        let view = StatusView {
            cursor: Some(Cursor::Before(row("t1", "a").key())),
            ..StatusView::default()
        };
        // Newest first, rows before `a` are newer: the two nearest are b, c.
        let rows = vec![row("t2", "b"), row("t3", "c"), row("t4", "d")];
        let (page, previous, next) = merge_page(&view, rows, 2);
        assert_eq!(ids(&page), ["c", "b"]);
        assert_eq!(previous, Some(row("t3", "c").key()));
        assert_eq!(next, Some(row("t2", "b").key()));
    }

    #[test]
    fn a_view_no_page_would_send_is_refused() {
        assert_eq!(StatusView::default().check(), Ok(()));
        let long = StatusView {
            search: "a".repeat(MAX_SEARCH + 1),
            ..StatusView::default()
        };
        assert!(long.check().is_err());
        let from_url = StatusView::from_query(|key| (key == "q").then(|| "a".repeat(500)));
        assert_eq!(
            from_url.search.len(),
            MAX_SEARCH,
            "a long link is cut, not refused"
        );
        let bad_day = StatusView {
            from: "yesterday".into(),
            ..StatusView::default()
        };
        assert!(matches!(bad_day.check(), Err(AppError::Invalid(_))));
    }
}
