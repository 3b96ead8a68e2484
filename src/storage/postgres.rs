//! How custsync opens a PostgreSQL database (HQ's server engine): one pool,
//! migrated on open, whose write transactions go one at a time, as
//! SQLite's do, so that a rule written as "read, check, then change" holds
//! on both engines.

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool, Postgres, Transaction};

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

    /// A read-only transaction whose statements all see the database as it
    /// was at its first one, whatever other processes commit meanwhile.
    pub async fn begin_read(&self) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        let mut tx = self.read.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
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
    let options = PgConnectOptions::from_str(url)?;
    // The pool retries a connection that fails until its timeout, then says
    // only that it timed out; one connection first says why (refused, no
    // such database, a wrong password).
    PgConnection::connect_with(&options).await?.close().await?;
    let pool = pool_options().connect_with(options).await?;
    migrator.run(&pool).await?;
    Ok(PgPools {
        read: pool.clone(),
        write: pool,
    })
}

/// A pool of at most `CONNECTIONS`, each pinged before it is handed out
/// (a restarted server hung up on it), kept for good otherwise: the task
/// sqlx starts to close idle or old connections can spin forever under
/// churn (launchbadge/sqlx#3645).
fn pool_options() -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(CONNECTIONS)
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire(true)
        .idle_timeout(None)
        .max_lifetime(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    static MIGRATOR: Migrator = sqlx::migrate!("migrations/hq-postgres");

    #[test]
    fn the_pool_does_not_start_the_idle_connection_reaper() {
        let options = pool_options();
        assert_eq!(options.get_idle_timeout(), None);
        assert_eq!(options.get_max_lifetime(), None);
        assert!(options.get_test_before_acquire());
    }

    #[tokio::test]
    async fn a_server_that_cannot_be_reached_is_reported_with_the_reason() {
        let error = open("postgres://custsync@127.0.0.1:1/hq", &MIGRATOR)
            .await
            .expect_err("nothing listens on port 1");
        assert!(error.to_string().to_lowercase().contains("refused"), "{error}");
    }
}
