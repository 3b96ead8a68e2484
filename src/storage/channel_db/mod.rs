//! The channel database (the store's scale unit): the staging tables that
//! cashiers and shoppers write to, and the copies of HQ data that the CDX
//! download jobs keep. Every SQL statement on this database lives here.

mod config;
mod customers;
mod reference;
mod sales;
mod sessions;
mod staging;
mod status_page;
mod writer;

use std::path::Path;
use std::sync::Arc;

pub use config::{CHANNEL_CONFIGURATION, CUSTOMERS, ConfigurationCopy, DownloadRun, GLOBAL_CONFIGURATION};
pub use sales::{NewSale, StagedSale};
pub use staging::AppliedUpTo;
pub use writer::NewOperation;

use sqlx::SqlitePool;

use crate::storage::sqlite::{self, Pools};
use reference::ReferenceCache;
use writer::StagingWriter;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/channel");

/// Session look-ups are one indexed read per request.
const SESSION_CONNECTIONS: u32 = 4;

/// SQLite's default. A create commits a few small pages, and larger pages
/// would make each durable commit write more (HQ's differ, see `hq_db`).
const PAGE_SIZE: u32 = 4096;

#[derive(Debug, thiserror::Error)]
pub enum ChannelDbError {
    #[error("channel database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("channel database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the channel's staging writer has stopped")]
    WriterStopped,
    #[error("the channel's staging writer could not be started: {0}")]
    WriterNotStarted(std::io::Error),
    #[error("the channel database could not commit a group of staged operations: {0}")]
    GroupCommit(String),
    /// An operation with this temporary id is staged already: the same save
    /// sent again, or an id used twice.
    #[error("an operation with temporary id {0} is staged already")]
    AlreadyStaged(String),
    /// Another run of the download job began: this one stores nothing more.
    #[error(
        "another run of job {0} began meanwhile, so this run stopped; that run brings the copy up to date"
    )]
    DownloadOvertaken(&'static str),
}

#[derive(Debug, Clone)]
pub struct ChannelDb {
    pools: Pools,
    writer: StagingWriter,
    sessions: SqlitePool,
    reference: ReferenceCache,
    /// The scale unit this database belongs to.
    scale_unit: Arc<str>,
}

impl ChannelDb {
    /// Opens (creating and migrating when needed) the channel database and
    /// starts its staging writer, which groups up to `staging_group_size`
    /// concurrent creates into one commit. The database belongs to the
    /// scale unit `scale_unit`: it serves the channels HQ gives that unit.
    pub async fn open(
        path: &Path,
        staging_group_size: usize,
        scale_unit: &str,
    ) -> Result<ChannelDb, ChannelDbError> {
        let pools = sqlite::open(path, &MIGRATOR, PAGE_SIZE)
            .await
            .map_err(|error| match error {
                sqlx::Error::Migrate(migrate) => ChannelDbError::Migrate(*migrate),
                other => ChannelDbError::Sqlx(other),
            })?;
        let writer = StagingWriter::start(pools.write.clone(), staging_group_size)
            .map_err(ChannelDbError::WriterNotStarted)?;
        let sessions = sqlite::open_shared(path, SESSION_CONNECTIONS).await?;
        Ok(ChannelDb {
            pools,
            writer,
            sessions,
            reference: ReferenceCache::default(),
            scale_unit: scale_unit.into(),
        })
    }

    /// The scale unit this database belongs to.
    pub fn scale_unit(&self) -> &str {
        &self.scale_unit
    }

    /// The pool the session store (`tower_sessions`) works on.
    pub fn session_pool(&self) -> SqlitePool {
        self.sessions.clone()
    }

    /// Closes the database once the work under way is done (see `Pools::close`).
    pub async fn close(&self) {
        sqlite::close_every_connection(&self.sessions).await;
        self.pools.close().await;
    }
}

/// `value` as JSON text, for a statement to read with `json_each`.
fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, ChannelDbError> {
    serde_json::to_string(value).map_err(|error| ChannelDbError::Sqlx(sqlx::Error::Encode(error.into())))
}
