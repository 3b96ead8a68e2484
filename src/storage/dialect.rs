//! The few places where HQ's SQL differs between SQLite and PostgreSQL,
//! beyond the statements that use each engine's own bulk tools: time
//! arithmetic on the ISO 8601 text both store times as. Every other
//! statement is written once, with `$1`-style parameters both engines read.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The current time as HQ stores it: `2026-12-03T06:40:00.123Z`.
    pub fn now(self) -> &'static str {
        match self {
            Dialect::Sqlite => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
            Dialect::Postgres => "utc_text(statement_timestamp())",
        }
    }

    /// The time `seconds` (an SQL expression) from now, as HQ stores times.
    pub fn seconds_from_now(self, seconds: &str) -> String {
        match self {
            Dialect::Sqlite => {
                format!("strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+' || {seconds} || ' seconds')")
            }
            Dialect::Postgres => format!("utc_text(statement_timestamp() + {seconds} * interval '1 second')"),
        }
    }

    /// The time `minutes` (an SQL expression) ago, as HQ stores times.
    pub fn minutes_ago(self, minutes: &str) -> String {
        match self {
            Dialect::Sqlite => {
                format!("strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || {minutes} || ' minutes')")
            }
            Dialect::Postgres => format!("utc_text(statement_timestamp() - {minutes} * interval '1 minute')"),
        }
    }

    /// What goes before and after a `YYYY-MM-DD` value (a bound
    /// parameter) to make the day after it.
    pub fn day_after(self) -> (&'static str, &'static str) {
        match self {
            Dialect::Sqlite => ("date(", ", '+1 day')"),
            Dialect::Postgres => ("to_char(CAST(", " AS date) + 1, 'YYYY-MM-DD')"),
        }
    }

    /// The rows `j (value)` of the JSON array bound as the statement's
    /// first parameter.
    pub fn json_rows(self) -> &'static str {
        match self {
            Dialect::Sqlite => "json_each($1) j",
            Dialect::Postgres => "jsonb_array_elements(CAST($1 AS jsonb)) AS j (value)",
        }
    }

    /// `column` in a condition that must not choose the index SQLite
    /// would walk: an update joined to a list of ids should look each id
    /// up, not scan the rows of an indexed status and the list for each.
    /// PostgreSQL plans it well as it is (and has no unary plus on text).
    pub fn without_index(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!("+{column}"),
            Dialect::Postgres => column.to_string(),
        }
    }
}
