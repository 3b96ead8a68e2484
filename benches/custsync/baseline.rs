//! The floors: the same rows written by a bare loop over one SQLite
//! connection with the app's pragmas (WAL, `synchronous=FULL`, foreign
//! keys), on the app's own schema, with no server, pool, writer or rules
//! around it. The loops call SQLite through `rusqlite`, each statement
//! prepared once: no async runtime or worker thread between a statement
//! and the library, which is the most the app's writes could approach.

use std::path::Path;
use std::time::{Duration, Instant};

use custsync::domain::customer::{AddressDraft, CustomerDraft, numbers_it_ends_with, phone_key};
use custsync::domain::scale_units::DEFAULT_SCALE_UNIT;
use custsync::domain::status_page::{Cursor, PAGE_SIZE, PageKey, StatusView};
use custsync::services::settings::Settings;
use custsync::storage::channel_db::ChannelDb;
use custsync::storage::hq_db::{
    HqDb, NAME_KEY_COLUMNS, OPERATION_ROW_COLUMNS, OPERATIONS_WITH_CHANNEL, name_keys, search_keys,
};
use custsync::storage::staging_tables::{ADDRESS_COLUMNS, CUSTOMER_COLUMNS};
use rusqlite::types::Value;
use rusqlite::{Connection, Row, ToSql, params, params_from_iter};
use tempfile::TempDir;

use crate::report::percentile;
use crate::{Options, data};

/// Creates committed one at a time, each durable before the next starts.
pub struct SingleCommits {
    pub per_second: f64,
    pub p99_ms: f64,
}

/// How long each bare loop of creates runs.
fn bare_loop_time(options: &Options) -> Duration {
    if options.smoke {
        Duration::from_millis(300)
    } else {
        Duration::from_secs(5)
    }
}

/// A create (header, one address, one contact) staged in the channel's
/// tables, one transaction each.
pub async fn single_commits(options: &Options) -> Result<SingleCommits, String> {
    let (_dir, mut conn) = fresh_channel_db().await?;
    let sql = Sql::new();
    let mut latencies = Vec::new();
    let started = Instant::now();
    let mut n = 0;
    while started.elapsed() < bare_loop_time(options) {
        let begun = Instant::now();
        let tx = conn.transaction().map_err(text)?;
        stage_create(&tx, &sql, "raw", n)?;
        tx.commit().map_err(text)?;
        latencies.push(begun.elapsed());
        n += 1;
    }
    Ok(SingleCommits {
        per_second: n as f64 / started.elapsed().as_secs_f64(),
        p99_ms: percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
    })
}

/// The creates the channel's writer groups into one commit at most.
pub fn group_size() -> usize {
    Settings::default().staging_group_size as usize
}

/// The `n`-th create of the loop tagged `tag`, staged as the channel
/// stages it.
fn stage_create(conn: &Connection, sql: &Sql, tag: &str, n: usize) -> Result<(), String> {
    insert_staged(
        conn,
        &sql.staged,
        &data::temporary_id(0, n),
        &data::customer(tag, n),
    )
}

/// A migrated channel database of its own, and a bare connection to it
/// (the folder goes when the first is dropped).
async fn fresh_channel_db() -> Result<(TempDir, Connection), String> {
    let dir = TempDir::new().map_err(text)?;
    let path = dir.path().join("channel.db");
    drop(
        ChannelDb::open(&path, 1, DEFAULT_SCALE_UNIT)
            .await
            .map_err(text)?,
    );
    let conn = connect(&path)?;
    Ok((dir, conn))
}

/// The same rows as `single_commits`, `group_size()` creates a transaction:
/// what a writer grouping concurrent creates could reach at best. Creates
/// per second.
pub async fn group_commits(options: &Options) -> Result<f64, String> {
    let (_dir, mut conn) = fresh_channel_db().await?;
    let sql = Sql::new();
    let group = group_size();
    let started = Instant::now();
    let mut n = 0;
    while started.elapsed() < bare_loop_time(options) {
        let tx = conn.transaction().map_err(text)?;
        for _ in 0..group {
            stage_create(&tx, &sql, "grouped", n)?;
            n += 1;
        }
        tx.commit().map_err(text)?;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

/// The bulk floor of the P-job and the sync: what they write for `count`
/// creates (the uploaded copy in HQ, the customer with its address and
/// contact, and the completed flag) on HQ's own schema, with its indexes
/// and triggers, in transactions of `batch` operations.
pub async fn sync_writes(count: usize, batch: usize) -> Result<Duration, String> {
    let dir = TempDir::new().map_err(text)?;
    let path = dir.path().join("hq.db");
    drop(HqDb::open(&path).await.map_err(text)?);
    let mut conn = connect(&path)?;
    conn.execute(
        "INSERT INTO customer_groups (group_id, description) VALUES ('30', 'Retail customers')",
        [],
    )
    .map_err(text)?;
    let sql = Sql::new();
    let started = Instant::now();
    for first in (0..count).step_by(batch.max(1)) {
        let tx = conn.transaction().map_err(text)?;
        for n in first..(first + batch).min(count) {
            let customer = data::customer("raw", n);
            let temporary_id = data::temporary_id(0, n);
            let account = format!("R{n:09}");
            insert_uploaded(&tx, &sql, &temporary_id, &customer)?;
            insert_customer(&tx, &sql, &account, &temporary_id, &customer)?;
            execute(&tx, &sql.completed, params![account, temporary_id])?;
        }
        tx.commit().map_err(text)?;
    }
    Ok(started.elapsed())
}

/// A bare connection with the app's pragmas (the page size and WAL are
/// the file's, set when the app made it).
fn connect(path: &Path) -> Result<Connection, String> {
    let conn = Connection::open(path).map_err(text)?;
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))
        .map_err(text)?;
    conn.pragma_update(None, "synchronous", "FULL").map_err(text)?;
    conn.pragma_update(None, "foreign_keys", "ON").map_err(text)?;
    Ok(conn)
}

/// The statements of the bare loops, each prepared once per connection
/// (`prepare_cached`).
struct Sql {
    staged: CustomerRows,
    uploaded: CustomerRows,
    customer: CustomerRows,
    completed: String,
}

/// The statements that write a customer's three rows: its header (the
/// customer's fields after three key values), its address and its contact
/// (each after one key value).
struct CustomerRows {
    header: String,
    address: String,
    contact: String,
}

impl Sql {
    fn new() -> Sql {
        let staged = |extra_columns: &str, extra_values: &str, key_columns: &str, key_values: &str| {
            CustomerRows {
            header: format!(
                "INSERT INTO RETAILASYNCCUSTOMERV2
                     (temporary_id, operation, channel_id, register_number, created_at{extra_columns},
                      {CUSTOMER_COLUMNS}{key_columns})
                 VALUES (?, 'create', ?, ?, '2026-01-01T00:00:00Z'{extra_values}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?{key_values})"
            ),
            address: format!(
                "INSERT INTO RETAILASYNCADDRESSV2 (temporary_id, line, {ADDRESS_COLUMNS})
                 VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?, ?)"
            ),
            contact: "INSERT INTO RETAILASYNCCUSTOMERCONTACT (temporary_id, line, contact_type, value, is_primary)
                      VALUES (?, 0, ?, ?, ?)"
                .to_string(),
        }
        };
        Sql {
            staged: staged("", "", "", ""),
            // HQ's copy with the search keys the P-job folds for it.
            uploaded: staged(
                ", uploaded_at, upload_run_id",
                ", '2026-01-01T00:00:00Z', 1",
                ", email_key, first_name_key, last_name_key, organization_key, phone_key",
                ", ?, ?, ?, ?, ?",
            ),
            customer: CustomerRows {
                header: format!(
                    "INSERT INTO customers (account, source_channel_id, async_customer_id, created_at, changed_at,
                                            {CUSTOMER_COLUMNS}, {NAME_KEY_COLUMNS})
                     VALUES (?, ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                             ?, ?, ?)"
                ),
                address: format!(
                    "INSERT INTO customer_addresses (account, line, {ADDRESS_COLUMNS}) VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                contact:
                    "INSERT INTO customer_contacts (account, line, contact_type, value, is_primary) VALUES (?, 0, ?, ?, ?)"
                        .to_string(),
            },
            completed: "UPDATE RETAILASYNCCUSTOMERV2 SET OnlineOperationCompleted = 1, account = ? WHERE temporary_id = ?"
                .to_string(),
        }
    }
}

/// Runs the cached statement `sql` with `values`.
fn execute(conn: &Connection, sql: &str, values: &[&dyn ToSql]) -> Result<(), String> {
    conn.prepare_cached(sql)
        .and_then(|mut statement| statement.execute(values))
        .map(drop)
        .map_err(text)
}

/// The customer's own fields, in the order of `CUSTOMER_COLUMNS`, with its
/// party type's code.
fn customer_values<'a>(customer: &'a CustomerDraft, party_type: &'a &'static str) -> [&'a dyn ToSql; 10] {
    [
        party_type,
        &customer.first_name,
        &customer.middle_name,
        &customer.last_name,
        &customer.organization_name,
        &customer.email,
        &customer.phone,
        &customer.customer_group,
        &customer.language,
        &customer.currency,
    ]
}

/// An address's fields, in the order of `ADDRESS_COLUMNS`.
fn address_values(address: &AddressDraft) -> [&dyn ToSql; 8] {
    [
        &address.name,
        &address.purpose,
        &address.street,
        &address.city,
        &address.state,
        &address.zip,
        &address.country_region,
        &address.primary,
    ]
}

/// `customer`'s three rows by the statements of `rows`: the header keyed
/// by `header_keys`, the address and the contact by `key`.
fn insert_customer_rows(
    conn: &Connection,
    rows: &CustomerRows,
    header_keys: [&dyn ToSql; 3],
    key: &str,
    customer: &CustomerDraft,
    header_after: &[&dyn ToSql],
) -> Result<(), String> {
    let party_type = customer.party_type.code();
    let mut values = header_keys.to_vec();
    values.extend(customer_values(customer, &party_type));
    values.extend_from_slice(header_after);
    execute(conn, &rows.header, &values)?;
    let mut values: Vec<&dyn ToSql> = vec![&key];
    values.extend(address_values(&customer.addresses[0]));
    execute(conn, &rows.address, &values)?;
    let contact = &customer.contacts[0];
    execute(
        conn,
        &rows.contact,
        params![key, contact.kind, contact.value, contact.primary],
    )
}

/// A create staged in the channel's RETAILASYNC* tables, by `rows`
/// (`Sql::staged`).
fn insert_staged(
    conn: &Connection,
    rows: &CustomerRows,
    temporary_id: &str,
    customer: &CustomerDraft,
) -> Result<(), String> {
    let keys: [&dyn ToSql; 3] = [&temporary_id, &data::CHANNEL_ID, &data::REGISTER_NUMBER];
    insert_customer_rows(conn, rows, keys, temporary_id, customer, &[])
}

/// A create's copy in HQ, with its search keys.
fn insert_uploaded(
    conn: &Connection,
    sql: &Sql,
    temporary_id: &str,
    customer: &CustomerDraft,
) -> Result<(), String> {
    let keys: [&dyn ToSql; 3] = [&temporary_id, &data::CHANNEL_ID, &data::REGISTER_NUMBER];
    let search_keys = search_keys(customer);
    let search_keys: Vec<&dyn ToSql> = search_keys.iter().map(|key| key as &dyn ToSql).collect();
    insert_customer_rows(conn, &sql.uploaded, keys, temporary_id, customer, &search_keys)
}

/// An HQ customer with its address and contact, and its name keys.
fn insert_customer(
    conn: &Connection,
    sql: &Sql,
    account: &str,
    temporary_id: &str,
    customer: &CustomerDraft,
) -> Result<(), String> {
    let keys: [&dyn ToSql; 3] = [&account, &data::CHANNEL_ID, &temporary_id];
    let name_keys = name_keys(customer);
    let name_keys: Vec<&dyn ToSql> = name_keys.iter().map(|key| key as &dyn ToSql).collect();
    insert_customer_rows(conn, &sql.customer, keys, account, customer, &name_keys)
}

pub fn text(error: impl std::fmt::Display) -> String {
    error.to_string()
}

/// Writes the WAL of the database at `path` back into its file and starts
/// it over, empty. The app's own checkpoints may hold SQLite's checkpoint
/// lock for a moment: then it tries again, a few times.
pub fn checkpoint(path: &Path) -> Result<(), String> {
    let conn = connect(path)?;
    let mut last = String::new();
    for _ in 0..CHECKPOINT_TRIES {
        match conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get::<_, i64>(0)) {
            Ok(0) => return Ok(()),
            Ok(_) => last = "kept waiting by a reader or the writer".to_string(),
            Err(error) => last = error.to_string(),
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("the checkpoint of {} failed: {last}", path.display()))
}

/// Checkpoints tried before giving up.
const CHECKPOINT_TRIES: usize = 20;

/// Makes every `every`-th operation in HQ's file failed, as a sync refusing
/// it would.
pub fn mark_failed(hq: &Path, every: usize) -> Result<(), String> {
    let conn = connect(hq)?;
    execute(
        &conn,
        "UPDATE RETAILASYNCCUSTOMERV2 SET error = 'Refused by the bench.' WHERE id % ?1 = 0",
        params![every as i64],
    )
}

/// What the status page asks HQ for one page of `view`, as bare queries
/// over HQ's file, `times` times: the page's rows (51, with their channel
/// and the run that uploaded them, the app's own column list and joins) and
/// its counts per status, from the counts HQ keeps or, for a search,
/// counted. The channel's side (nothing waits there in the bench) and the
/// backlog plots are left out.
pub fn status_page_queries(hq: &Path, view: &StatusView, times: usize) -> Result<Vec<Duration>, String> {
    let conn = connect(hq)?;
    let (rows_sql, rows_values) = status_rows_query(view, PAGE_SIZE + 1)?;
    let (counts_sql, counts_values) = status_counts_query(view);
    let mut latencies = Vec::with_capacity(times);
    for _ in 0..times {
        let started = Instant::now();
        let rows = read_all(&conn, &rows_sql, &rows_values, |_| Ok(()))?;
        let counts = read_all(&conn, &counts_sql, &counts_values, |_| Ok(()))?;
        if rows == 0 || counts == 0 {
            return Err(format!(
                "the status page's queries found nothing for {}",
                view.to_query()
            ));
        }
        latencies.push(started.elapsed());
    }
    Ok(latencies)
}

/// The CSV export's reads of HQ as bare queries: every operation, newest
/// first, in pages of `page` that follow each other by their keyset, each
/// value read. How long the first page took, and all of them.
pub fn export_queries(hq: &Path, page: u32) -> Result<(Duration, Duration), String> {
    let conn = connect(hq)?;
    let started = Instant::now();
    let mut first_page = None;
    let mut view = StatusView::default();
    loop {
        let (sql, values) = status_rows_query(&view, page)?;
        let mut last = None;
        let rows = read_all(&conn, &sql, &values, |row| {
            last = Some(PageKey {
                created_at: row.get(ROW_CREATED_AT)?,
                sequence: row.get(ROW_SEQUENCE)?,
                temporary_id: row.get(ROW_TEMPORARY_ID)?,
            });
            Ok(())
        })?;
        first_page.get_or_insert(started.elapsed());
        match last {
            Some(key) if rows == page as usize => view.cursor = Some(Cursor::After(key)),
            _ => break,
        }
    }
    let first_page = first_page.ok_or("the export's floor read nothing")?;
    Ok((first_page, started.elapsed()))
}

/// Where `OPERATION_ROW_COLUMNS` puts a row's keyset.
const ROW_TEMPORARY_ID: usize = 1;
const ROW_CREATED_AT: usize = 4;
const ROW_SEQUENCE: usize = 5;

/// The rows of the view's page, up to `limit`, newest first, after its
/// cursor: the filters the bench's pages use (status, channel, search, a
/// later page).
fn status_rows_query(view: &StatusView, limit: u32) -> Result<(String, Vec<Value>), String> {
    let mut sql = format!("SELECT {OPERATION_ROW_COLUMNS} FROM {OPERATIONS_WITH_CHANNEL} WHERE 1 = 1");
    let mut values = Vec::new();
    if let Some(status) = view.status {
        sql.push_str(" AND o.status = ?");
        values.push(Value::Text(status.code().to_string()));
    }
    push_channel_and_search(view, &mut sql, &mut values);
    match &view.cursor {
        None => {}
        Some(Cursor::After(key)) => {
            sql.push_str(" AND (o.created_at, o.channel_sequence, o.temporary_id) < (?, ?, ?)");
            values.push(Value::Text(key.created_at.clone()));
            values.push(Value::Integer(key.sequence));
            values.push(Value::Text(key.temporary_id.clone()));
        }
        Some(Cursor::Before(_)) => return Err("the bench has no floor for a page back".to_string()),
    }
    sql.push_str(" ORDER BY o.created_at DESC, o.channel_sequence DESC, o.temporary_id DESC LIMIT ?");
    values.push(Value::Integer(i64::from(limit)));
    Ok((sql, values))
}

/// The counts per status under the view's channel and search.
fn status_counts_query(view: &StatusView) -> (String, Vec<Value>) {
    let mut sql = if view.counts_are_kept() {
        "SELECT o.status, SUM(o.count) FROM operation_counts o WHERE 1 = 1".to_string()
    } else {
        "SELECT o.status, COUNT(*) FROM RETAILASYNCCUSTOMERV2 o WHERE 1 = 1".to_string()
    };
    let mut values = Vec::new();
    push_channel_and_search(view, &mut sql, &mut values);
    sql.push_str(" GROUP BY o.status");
    (sql, values)
}

/// ` AND …` for the view's channel and search: exact temporary ids and
/// accounts, prefixes of names and emails, each through its own index.
fn push_channel_and_search(view: &StatusView, sql: &mut String, values: &mut Vec<Value>) {
    if let Some(channel_id) = view.channel_id {
        sql.push_str(" AND o.channel_id = ?");
        values.push(Value::Integer(channel_id));
    }
    let Some(lower) = view.search_key() else {
        return;
    };
    let upper = view.search.trim().to_ascii_uppercase();
    let end = format!("{lower}\u{10FFFF}");
    sql.push_str(
        " AND o.id IN (
             SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE temporary_id = ?
             UNION ALL SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE customer_temporary_id = ?
             UNION ALL SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE account = ?
             UNION ALL SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE customer_account = ?
             UNION ALL SELECT id FROM RETAILASYNCCUSTOMERV2
                 WHERE customer_temporary_id = (SELECT async_customer_id FROM customers WHERE account = ?)",
    );
    values.extend([lower.clone(), lower.clone(), upper.clone(), upper.clone(), upper].map(Value::Text));
    for key in ["email_key", "last_name_key", "first_name_key", "organization_key"] {
        sql.push_str(&format!(
            " UNION ALL SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE {key} >= ? AND {key} < ? AND {key} <> ''"
        ));
        values.extend([Value::Text(lower.clone()), Value::Text(end.clone())]);
    }
    if let Some(digits) = view.search_phone_digits() {
        let key = phone_key(&digits);
        sql.push_str(
            " UNION ALL SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE phone_key >= ? AND phone_key < ? AND phone_key <> ''",
        );
        let end = format!("{key}\u{10FFFF}");
        values.extend([Value::Text(key), Value::Text(end)]);
        let shorter = numbers_it_ends_with(&digits);
        if !shorter.is_empty() {
            let places = vec!["?"; shorter.len()].join(", ");
            sql.push_str(&format!(
                " UNION ALL SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE phone_key IN ({places}) AND phone_key <> ''"
            ));
            values.extend(shorter.iter().map(|number| Value::Text(phone_key(number))));
        }
    }
    sql.push(')');
}

/// Reads every row `sql` answers, each value (as the app decodes them),
/// through a statement prepared once for the connection, and hands each
/// row to `on_row`. How many rows it read.
fn read_all(
    conn: &Connection,
    sql: &str,
    values: &[Value],
    mut on_row: impl FnMut(&Row<'_>) -> rusqlite::Result<()>,
) -> Result<usize, String> {
    let mut statement = conn.prepare_cached(sql).map_err(text)?;
    let columns = statement.column_count();
    let mut rows = statement.query(params_from_iter(values)).map_err(text)?;
    let mut count = 0;
    while let Some(row) = rows.next().map_err(text)? {
        for column in 0..columns {
            row.get_ref(column).map_err(text)?;
        }
        on_row(row).map_err(text)?;
        count += 1;
    }
    Ok(count)
}
