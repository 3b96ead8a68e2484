//! The baselines: the same rows written by a bare loop over one SQLite
//! connection with the app's pragmas (WAL, `synchronous=FULL`, foreign
//! keys), on the app's own schema, with no server, pool, writer or rules
//! around it.

use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, Instant};

use custsync::domain::customer::CustomerDraft;
use custsync::domain::scale_units::DEFAULT_SCALE_UNIT;
use custsync::services::settings::Settings;
use custsync::storage::channel_db::ChannelDb;
use custsync::storage::hq_db::HqDb;
use custsync::storage::staging_tables::{ADDRESS_COLUMNS, CUSTOMER_COLUMNS, bind_address, bind_customer};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqliteConnection};
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
    let mut latencies = Vec::new();
    let started = Instant::now();
    let mut n = 0;
    while started.elapsed() < bare_loop_time(options) {
        let begun = Instant::now();
        let mut tx = conn.begin().await.map_err(text)?;
        stage_create(&mut tx, "raw", n).await?;
        tx.commit().await.map_err(text)?;
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

/// The `n`-th create of the loop tagged `tag`, staged in `tx` as the
/// channel stages it.
async fn stage_create(tx: &mut SqliteConnection, tag: &str, n: usize) -> Result<(), String> {
    insert_staged(
        tx,
        "RETAILASYNCCUSTOMERV2",
        &data::temporary_id(0, n),
        &data::customer(tag, n),
        false,
    )
    .await
}

/// A migrated channel database of its own, and a bare connection to it
/// (the folder goes when the first is dropped).
async fn fresh_channel_db() -> Result<(TempDir, SqliteConnection), String> {
    let dir = TempDir::new().map_err(text)?;
    let path = dir.path().join("channel.db");
    drop(
        ChannelDb::open(&path, 1, DEFAULT_SCALE_UNIT)
            .await
            .map_err(text)?,
    );
    let conn = connect(&path).await?;
    Ok((dir, conn))
}

/// The same rows as `single_commits`, `group_size()` creates a transaction:
/// what a writer grouping concurrent creates could reach at best. Creates
/// per second.
pub async fn group_commits(options: &Options) -> Result<f64, String> {
    let (_dir, mut conn) = fresh_channel_db().await?;
    let group = group_size();
    let started = Instant::now();
    let mut n = 0;
    while started.elapsed() < bare_loop_time(options) {
        let mut tx = conn.begin().await.map_err(text)?;
        for _ in 0..group {
            stage_create(&mut tx, "grouped", n).await?;
            n += 1;
        }
        tx.commit().await.map_err(text)?;
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

/// What the P-job and the sync write for `count` creates: the uploaded
/// copy in HQ, the customer with its address and contact, and the
/// completed flag, in transactions of `batch` operations.
pub async fn sync_writes(count: usize, batch: usize) -> Result<Duration, String> {
    let dir = TempDir::new().map_err(text)?;
    let path = dir.path().join("hq.db");
    drop(HqDb::open(&path).await.map_err(text)?);
    let mut conn = connect(&path).await?;
    sqlx::query("INSERT INTO customer_groups (group_id, description) VALUES ('30', 'Retail customers')")
        .execute(&mut conn)
        .await
        .map_err(text)?;
    let started = Instant::now();
    for first in (0..count).step_by(batch.max(1)) {
        let mut tx = conn.begin().await.map_err(text)?;
        for n in first..(first + batch).min(count) {
            let customer = data::customer("raw", n);
            let temporary_id = data::temporary_id(0, n);
            insert_staged(&mut tx, "RETAILASYNCCUSTOMERV2", &temporary_id, &customer, true).await?;
            insert_customer(&mut tx, &format!("R{n:09}"), &temporary_id, &customer).await?;
            sqlx::query(
                "UPDATE RETAILASYNCCUSTOMERV2 SET OnlineOperationCompleted = 1, account = ? WHERE temporary_id = ?",
            )
            .bind(format!("R{n:09}"))
            .bind(&temporary_id)
            .execute(&mut *tx)
            .await
            .map_err(text)?;
        }
        tx.commit().await.map_err(text)?;
    }
    Ok(started.elapsed())
}

async fn connect(path: &Path) -> Result<SqliteConnection, String> {
    SqliteConnectOptions::from_str("sqlite:")
        .map_err(text)?
        .filename(path)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .connect()
        .await
        .map_err(text)
}

/// A staged create in the channel's or HQ's RETAILASYNC* tables.
async fn insert_staged(
    conn: &mut SqliteConnection,
    table: &str,
    temporary_id: &str,
    customer: &CustomerDraft,
    in_hq: bool,
) -> Result<(), String> {
    let (extra_columns, extra_values) = if in_hq {
        (", uploaded_at, upload_run_id", ", '2026-01-01T00:00:00Z', 1")
    } else {
        ("", "")
    };
    let sql = format!(
        "INSERT INTO {table} (temporary_id, operation, channel_id, register_number, created_at{extra_columns},
                              {CUSTOMER_COLUMNS})
         VALUES (?, 'create', ?, ?, '2026-01-01T00:00:00Z'{extra_values}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    );
    let query = sqlx::query(&sql)
        .bind(temporary_id)
        .bind(data::CHANNEL_ID)
        .bind(data::REGISTER_NUMBER);
    bind_customer(query, customer)
        .execute(&mut *conn)
        .await
        .map_err(text)?;
    let address_sql = format!(
        "INSERT INTO RETAILASYNCADDRESSV2 (temporary_id, line, {ADDRESS_COLUMNS}) VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?, ?)"
    );
    let query = sqlx::query(&address_sql).bind(temporary_id);
    bind_address(query, &customer.addresses[0])
        .execute(&mut *conn)
        .await
        .map_err(text)?;
    let contact = &customer.contacts[0];
    sqlx::query(
        "INSERT INTO RETAILASYNCCUSTOMERCONTACT (temporary_id, line, contact_type, value, is_primary)
         VALUES (?, 0, ?, ?, ?)",
    )
    .bind(temporary_id)
    .bind(&contact.kind)
    .bind(&contact.value)
    .bind(contact.primary)
    .execute(&mut *conn)
    .await
    .map_err(text)?;
    Ok(())
}

/// An HQ customer with its address and contact.
async fn insert_customer(
    conn: &mut SqliteConnection,
    account: &str,
    temporary_id: &str,
    customer: &CustomerDraft,
) -> Result<(), String> {
    let sql = format!(
        "INSERT INTO customers (account, source_channel_id, async_customer_id, created_at, changed_at,
                                {CUSTOMER_COLUMNS})
         VALUES (?, ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    );
    let query = sqlx::query(&sql)
        .bind(account)
        .bind(data::CHANNEL_ID)
        .bind(temporary_id);
    bind_customer(query, customer)
        .execute(&mut *conn)
        .await
        .map_err(text)?;
    let address_sql = format!(
        "INSERT INTO customer_addresses (account, line, {ADDRESS_COLUMNS}) VALUES (?, 0, ?, ?, ?, ?, ?, ?, ?, ?)"
    );
    bind_address(sqlx::query(&address_sql).bind(account), &customer.addresses[0])
        .execute(&mut *conn)
        .await
        .map_err(text)?;
    let contact = &customer.contacts[0];
    sqlx::query("INSERT INTO customer_contacts (account, line, contact_type, value, is_primary) VALUES (?, 0, ?, ?, ?)")
        .bind(account)
        .bind(&contact.kind)
        .bind(&contact.value)
        .bind(contact.primary)
        .execute(&mut *conn)
        .await
        .map_err(text)?;
    Ok(())
}

pub fn text(error: impl std::fmt::Display) -> String {
    error.to_string()
}

/// Makes every `every`-th operation in HQ's file failed, as a sync refusing
/// it would.
pub async fn mark_failed(hq: &Path, every: usize) -> Result<(), String> {
    let mut conn = connect(hq).await?;
    sqlx::query("UPDATE RETAILASYNCCUSTOMERV2 SET error = 'Refused by the bench.' WHERE id % ?1 = 0")
        .bind(every as i64)
        .execute(&mut conn)
        .await
        .map_err(text)?;
    Ok(())
}

/// The status page's search as one bare query over HQ's file: the first 51
/// operations of the channel matching `term`, newest first, `times` times.
pub async fn status_query(hq: &Path, term: &str, times: usize) -> Result<Vec<Duration>, String> {
    let mut conn = connect(hq).await?;
    let end = format!("{term}\u{10FFFF}");
    let mut latencies = Vec::with_capacity(times);
    for _ in 0..times {
        let started = Instant::now();
        let rows: Vec<(String,)> = sqlx::query_as(
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
        .bind(data::CHANNEL_ID)
        .bind(term)
        .bind(&end)
        .fetch_all(&mut conn)
        .await
        .map_err(text)?;
        if rows.is_empty() {
            return Err(format!("the search {term:?} found nothing"));
        }
        latencies.push(started.elapsed());
    }
    Ok(latencies)
}
