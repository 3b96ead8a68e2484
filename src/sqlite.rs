//! How custsync opens an SQLite database: WAL with `synchronous=FULL`, so a
//! commit the user saw survives a power cut, and two pools, because SQLite
//! has one writer at a time: many readers, and one connection that writes.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// A database's two pools: `read` for queries, `write` (one connection) for
/// every transaction that changes something.
#[derive(Debug, Clone)]
pub struct Pools {
    pub read: SqlitePool,
    pub write: SqlitePool,
}

impl Pools {
    /// A write transaction that takes SQLite's write lock at once, so that
    /// processes sharing the file wait for each other instead of failing to
    /// upgrade a read.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.write.begin_with("BEGIN IMMEDIATE").await
    }
}

pub async fn open(path: &Path, migrator: &Migrator) -> Result<Pools, sqlx::Error> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let options = connect_options(path)?;
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone().pragma("wal_autocheckpoint", "0"))
        .await?;
    migrator.run(&write).await?;
    let checkpointer = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone())
        .await?;
    tokio::spawn(checkpoint_now_and_then(checkpointer));
    let read = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options.read_only(true))
        .await?;
    Ok(Pools { read, write })
}

/// The writer does not checkpoint the WAL into the database itself: a commit
/// that did would make its caller wait for the database file's own sync. A
/// connection of its own copies committed pages now and then instead,
/// without blocking the writer (PASSIVE).
async fn checkpoint_now_and_then(pool: SqlitePool) {
    let mut interval = tokio::time::interval(CHECKPOINT_EVERY);
    loop {
        interval.tick().await;
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
            tracing::warn!(%error, "the WAL could not be checkpointed");
        }
    }
}

/// A small pool that both reads and writes, for a library that brings its
/// own statements (the session store); it waits for the writer like any
/// other connection.
pub async fn open_shared(path: &Path, connections: u32) -> Result<SqlitePool, sqlx::Error> {
    SqlitePoolOptions::new()
        .max_connections(connections)
        .connect_with(connect_options(path)?)
        .await
}

fn connect_options(path: &Path) -> Result<SqliteConnectOptions, sqlx::Error> {
    Ok(SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10)))
}
