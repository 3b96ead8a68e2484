//! The floors: the same rows written by a bare loop over one SQLite
//! connection with the app's pragmas (WAL, `synchronous=FULL`, foreign
//! keys), on the app's own schema, with no server, pool, writer or rules
//! around it. The loops call SQLite through `rusqlite`, each statement
//! prepared once: no async runtime or worker thread between a statement
//! and the library, which is the most the app's writes could approach.

use std::path::Path;
use std::time::{Duration, Instant};

use custsync::domain::customer::{AddressDraft, CustomerDraft};
use custsync::domain::scale_units::DEFAULT_SCALE_UNIT;
use custsync::services::settings::Settings;
use custsync::storage::channel_db::ChannelDb;
use custsync::storage::hq_db::HqDb;
use custsync::storage::staging_tables::{ADDRESS_COLUMNS, CUSTOMER_COLUMNS};
use rusqlite::{Connection, ToSql, params};
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
            insert_staged(&tx, &sql.uploaded, &temporary_id, &customer)?;
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
        let staged = |extra_columns: &str, extra_values: &str| {
            CustomerRows {
            header: format!(
                "INSERT INTO RETAILASYNCCUSTOMERV2
                     (temporary_id, operation, channel_id, register_number, created_at{extra_columns},
                      {CUSTOMER_COLUMNS})
                 VALUES (?, 'create', ?, ?, '2026-01-01T00:00:00Z'{extra_values}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
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
            staged: staged("", ""),
            uploaded: staged(", uploaded_at, upload_run_id", ", '2026-01-01T00:00:00Z', 1"),
            customer: CustomerRows {
                header: format!(
                    "INSERT INTO customers (account, source_channel_id, async_customer_id, created_at, changed_at,
                                            {CUSTOMER_COLUMNS})
                     VALUES (?, ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
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
) -> Result<(), String> {
    let party_type = customer.party_type.code();
    let mut values = header_keys.to_vec();
    values.extend(customer_values(customer, &party_type));
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

/// A create staged in the channel's or HQ's RETAILASYNC* tables, by `rows`
/// (`Sql::staged` or `Sql::uploaded`).
fn insert_staged(
    conn: &Connection,
    rows: &CustomerRows,
    temporary_id: &str,
    customer: &CustomerDraft,
) -> Result<(), String> {
    let keys: [&dyn ToSql; 3] = [&temporary_id, &data::CHANNEL_ID, &data::REGISTER_NUMBER];
    insert_customer_rows(conn, rows, keys, temporary_id, customer)
}

/// An HQ customer with its address and contact.
fn insert_customer(
    conn: &Connection,
    sql: &Sql,
    account: &str,
    temporary_id: &str,
    customer: &CustomerDraft,
) -> Result<(), String> {
    let keys: [&dyn ToSql; 3] = [&account, &data::CHANNEL_ID, &temporary_id];
    insert_customer_rows(conn, &sql.customer, keys, account, customer)
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

/// The status page's search as one bare query over HQ's file: the first 51
/// operations of the channel matching `term`, newest first, `times` times.
pub fn status_query(hq: &Path, term: &str, times: usize) -> Result<Vec<Duration>, String> {
    let conn = connect(hq)?;
    let end = format!("{term}\u{10FFFF}");
    let mut latencies = Vec::with_capacity(times);
    for _ in 0..times {
        let started = Instant::now();
        let mut query = conn
            .prepare_cached(
                "SELECT temporary_id FROM RETAILASYNCCUSTOMERV2
             WHERE channel_id = ?1 AND id IN (
                 SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE temporary_id = ?2
                 UNION ALL SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE customer_temporary_id = ?2
                 UNION ALL SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE account = ?2
                 UNION ALL SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE customer_account = ?2
                 UNION ALL SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE lower(email) >= ?2 AND lower(email) < ?3
                 UNION ALL SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE lower(last_name) >= ?2 AND lower(last_name) < ?3
                 UNION ALL SELECT id FROM RETAILASYNCCUSTOMERV2 WHERE lower(first_name) >= ?2 AND lower(first_name) < ?3
                 UNION ALL SELECT id FROM RETAILASYNCCUSTOMERV2
                     WHERE lower(organization_name) >= ?2 AND lower(organization_name) < ?3
                       AND organization_name <> '')
             ORDER BY created_at DESC, temporary_id DESC LIMIT 51",
            )
            .map_err(text)?;
        let rows = query
            .query_map(params![data::CHANNEL_ID, term, end], |row| {
                row.get::<_, String>(0)
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(text)?;
        if rows.is_empty() {
            return Err(format!("the search {term:?} found nothing"));
        }
        latencies.push(started.elapsed());
    }
    Ok(latencies)
}
