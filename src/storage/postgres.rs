//! How custsync opens a PostgreSQL database (HQ's server engine): one pool,
//! migrated on open, whose write transactions go one at a time, as
//! SQLite's do, so that a rule written as "read, check, then change" holds
//! on both engines.

use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Postgres, Transaction};

/// The advisory lock every HQ write transaction takes; any number that no
/// other program on the database uses.
const WRITER_LOCK: i64 = 0x6375_7374_7379_6e63;

const CONNECTIONS: u32 = 16;

/// The pools HQ's statements name: `read` and `write` are the same pool;
/// what makes a write one at a time is `begin_write`.
#[derive(Debug, Clone)]
pub struct PgPools {
    pub read: PgPool,
    pub write: PgPool,
}

impl PgPools {
    /// A transaction that waits for every other write transaction on this
    /// database, in any process, to end first.
    pub async fn begin_write(&self) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        let mut tx = self.write.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITER_LOCK)
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    pub async fn close(&self) {
        self.write.close().await;
    }
}

/// Connects to the database at `url` and migrates it (sqlx's migrator
/// takes a lock, so processes starting together migrate once).
pub async fn open(url: &str, migrator: &Migrator) -> Result<PgPools, sqlx::Error> {
    let pool = PgPoolOptions::new()
        .max_connections(CONNECTIONS)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await?;
    migrator.run(&pool).await?;
    Ok(PgPools {
        read: pool.clone(),
        write: pool,
    })
}
