//! The HQ database: master data (features, channels, customers, number
//! sequences), the uploaded RETAILASYNC* copies and the job history. Every
//! SQL statement on this database lives here, for both engines HQ runs on:
//! SQLite (a file, the embedded default) and PostgreSQL (a server several
//! scale units share). A statement both engines read alike is written once
//! and compiled for each (`on_engine!`); where they differ, the two
//! versions sit side by side in the function that runs them.

/// Runs `$body` on HQ's engine with `$pools` its pools (`read`, `write`,
/// `begin_write()`) and `$sql` its `Dialect`. The body is compiled once for
/// each engine, so one text of a statement serves both.
macro_rules! on_engine {
    ($db:expr, |$pools:ident, $sql:ident| $body:expr) => {
        match &$db.engine {
            $crate::storage::hq_db::Engine::Sqlite($pools) => {
                #[allow(unused_variables)]
                let $sql = $crate::storage::dialect::Dialect::Sqlite;
                $body
            }
            $crate::storage::hq_db::Engine::Postgres($pools) => {
                #[allow(unused_variables)]
                let $sql = $crate::storage::dialect::Dialect::Postgres;
                $body
            }
        }
    };
}

mod async_operations;
mod backlog;
mod config;
mod configuration;
mod customers;
mod demo_data;
mod downloads;
mod job_runs;
mod operation_detail;
mod realtime_calls;
mod scale_units;
mod schedules;
mod search_keys;
mod status_page;
#[macro_use]
mod sync_transaction;
// After `sync_transaction`, whose `on_tx!` it uses.
mod sales;
mod users;

use std::path::{Path, PathBuf};

pub use async_operations::{
    OPERATION_ROW_COLUMNS, OPERATIONS_WITH_CHANNEL, PreparedUpload, UploadedOperationRow,
};
pub use demo_data::{DEMO_PASSWORD, demo_users};
pub use downloads::{Changed, ChannelConfiguration, CustomersBatch, CustomersReadTo};
pub use job_runs::{LeaseHeld, RunStart};
pub use operation_detail::{EditSaved, OperationEdit, OperationHistory, SyncAttempt};
pub use realtime_calls::NewRealtimeCall;
pub use sales::{OpenSale, SettledSales};
pub use search_keys::{NAME_KEY_COLUMNS, name_keys, search_keys};
pub use sync_transaction::{RealtimeOperation, SyncTransaction};
pub use users::{AccessChange, StoredUser};

use crate::storage::postgres::{self, PgPools};
use crate::storage::sqlite::{self, Pools};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/hq");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/hq-postgres");

#[derive(Debug, thiserror::Error)]
pub enum HqDbError {
    #[error("HQ database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("HQ database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the number sequence {0:?} is missing")]
    MissingNumberSequence(String),
}

impl HqDbError {
    /// Whether HQ's database could not be reached at all (its server down,
    /// the connection lost, no connection free in time), as against a
    /// statement it refused: what a real-time call treats as a
    /// communication error.
    pub fn is_unreachable(&self) -> bool {
        match self {
            HqDbError::Sqlx(
                sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::Protocol(_)
                | sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::WorkerCrashed,
            ) => true,
            // PostgreSQL's connection exceptions (class 08) and its
            // server shutting down or starting (57P01 to 57P03).
            HqDbError::Sqlx(sqlx::Error::Database(error)) => error
                .code()
                .is_some_and(|code| code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03")),
            _ => false,
        }
    }
}

/// HQ's jobs write wide staging rows and their customers in batches of
/// thousands: with 16 KB pages instead of SQLite's 4 KB, the P-job and the
/// sync of 100,000 creates take about 7% less time (BENCHMARKS.md).
const PAGE_SIZE: u32 = 16 * 1024;

/// Where HQ's database is: an SQLite file, or a PostgreSQL database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HqLocation {
    Sqlite(PathBuf),
    Postgres(String),
}

impl HqLocation {
    /// `postgres://…` (or `postgresql://…`) names a PostgreSQL database;
    /// anything else is an SQLite file, with or without `sqlite:` before it.
    pub fn parse(url: &str) -> HqLocation {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            HqLocation::Postgres(url.to_string())
        } else {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"));
            HqLocation::Sqlite(PathBuf::from(path.unwrap_or(url)))
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum Engine {
    Sqlite(Pools),
    Postgres(PgPools),
}

#[derive(Debug, Clone)]
pub struct HqDb {
    engine: Engine,
}

impl HqDb {
    /// Opens (creating and migrating when needed) the HQ database in an SQLite file.
    pub async fn open(path: &Path) -> Result<HqDb, HqDbError> {
        let pools = sqlite::open(path, &MIGRATOR, PAGE_SIZE)
            .await
            .map_err(migration_error)?;
        HqDb {
            engine: Engine::Sqlite(pools),
        }
        .after_migrations()
        .await
    }

    /// Opens (migrating when needed) the HQ database wherever it is.
    pub async fn open_at(location: &HqLocation) -> Result<HqDb, HqDbError> {
        match location {
            HqLocation::Sqlite(path) => HqDb::open(path).await,
            HqLocation::Postgres(url) => {
                let pools = postgres::open(url, &POSTGRES_MIGRATOR)
                    .await
                    .map_err(migration_error)?;
                HqDb {
                    engine: Engine::Postgres(pools),
                }
                .after_migrations()
                .await
            }
        }
    }

    /// What an upgraded HQ's data needs that its migrations could not do in
    /// SQL: the search keys folded by the app.
    async fn after_migrations(self) -> Result<HqDb, HqDbError> {
        let refolded = self.refold_search_keys().await?;
        if refolded > 0 {
            tracing::info!("search keys folded: {refolded} operations");
        }
        let refolded = self.refold_customer_keys().await?;
        if refolded > 0 {
            tracing::info!("name keys folded: {refolded} customers");
        }
        Ok(self)
    }

    /// Which HQ this is, made with the database: a channel database
    /// records the HQ it was filled from.
    pub async fn identity(&self) -> Result<String, HqDbError> {
        on_engine!(self, |pools, sql| Ok(sqlx::query_scalar(
            "SELECT hq_id FROM hq_identity WHERE id = 1"
        )
        .fetch_one(&pools.read)
        .await?))
    }

    /// Which engine holds HQ: "SQLite" or "PostgreSQL".
    pub fn engine_name(&self) -> &'static str {
        match self.engine {
            Engine::Sqlite(_) => "SQLite",
            Engine::Postgres(_) => "PostgreSQL",
        }
    }

    /// Closes the database once the work under way is done (see `Pools::close`).
    pub async fn close(&self) {
        match &self.engine {
            Engine::Sqlite(pools) => pools.close().await,
            Engine::Postgres(pools) => pools.close().await,
        }
    }
}

fn migration_error(error: sqlx::Error) -> HqDbError {
    match error {
        sqlx::Error::Migrate(migrate) => HqDbError::Migrate(*migrate),
        other => HqDbError::Sqlx(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_url_names_a_server_and_anything_else_a_file() {
        assert_eq!(
            HqLocation::parse("postgres://hq@db/hq"),
            HqLocation::Postgres("postgres://hq@db/hq".to_string())
        );
        assert_eq!(
            HqLocation::parse("postgresql://db/hq"),
            HqLocation::Postgres("postgresql://db/hq".to_string())
        );
        assert_eq!(
            HqLocation::parse("sqlite:data/hq.db"),
            HqLocation::Sqlite(PathBuf::from("data/hq.db"))
        );
        assert_eq!(
            HqLocation::parse("sqlite:///var/hq.db"),
            HqLocation::Sqlite(PathBuf::from("/var/hq.db"))
        );
        assert_eq!(
            HqLocation::parse("/var/hq.db"),
            HqLocation::Sqlite(PathBuf::from("/var/hq.db"))
        );
    }
}
