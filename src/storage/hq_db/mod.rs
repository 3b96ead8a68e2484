//! The HQ database: master data (features, channels, customers, number
//! sequences), the uploaded RETAILASYNC* copies and the job history. Every
//! SQL statement on this database lives here.

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
mod schedules;
mod status_page;
mod sync_transaction;
mod users;

use std::path::Path;

pub use async_operations::{PreparedUpload, UploadedOperationRow};
pub use demo_data::{DEMO_PASSWORD, demo_users};
pub use downloads::{Changed, ChannelConfiguration};
pub use operation_detail::{OperationEdit, OperationHistory, SyncAttempt};
pub use realtime_calls::NewRealtimeCall;
pub use sync_transaction::SyncTransaction;
pub use users::StoredUser;

use crate::storage::sqlite::{self, Pools};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/hq");

#[derive(Debug, thiserror::Error)]
pub enum HqDbError {
    #[error("HQ database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("HQ database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the number sequence {0:?} is missing")]
    MissingNumberSequence(String),
}

/// HQ's jobs write wide staging rows and their customers in batches of
/// thousands: with 16 KB pages instead of SQLite's 4 KB, the P-job and the
/// sync of 100,000 creates take about 7% less time (BENCHMARKS.md).
const PAGE_SIZE: u32 = 16 * 1024;

#[derive(Debug, Clone)]
pub struct HqDb {
    pools: Pools,
}

impl HqDb {
    /// Opens (creating and migrating when needed) the HQ database.
    pub async fn open(path: &Path) -> Result<HqDb, HqDbError> {
        let pools = sqlite::open(path, &MIGRATOR, PAGE_SIZE)
            .await
            .map_err(|error| match error {
                sqlx::Error::Migrate(migrate) => HqDbError::Migrate(*migrate),
                other => HqDbError::Sqlx(other),
            })?;
        Ok(HqDb { pools })
    }

    /// Closes the database once the work under way is done (see `Pools::close`).
    pub async fn close(&self) {
        self.pools.close().await;
    }
}
