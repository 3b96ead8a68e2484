//! Where sessions are kept: in memory, written through to the
//! `tower_sessions` table of the channel database, and the cookie that names
//! them. The request's side of a session is in `sessions`.

use std::str::FromStr;
use std::time::Duration;

use tower_sessions::cookie::SameSite;
use tower_sessions::cookie::time;
use tower_sessions::session::Id;
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions::{CachingSessionStore, Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

use super::session_cache::SessionCache;
use crate::storage::channel_db::{ChannelDb, ChannelDbError};

/// Why sessions could not be ended.
#[derive(Debug, thiserror::Error)]
pub enum SessionStoreError {
    #[error("a session store failed: {0}")]
    Store(#[from] session_store::Error),
    #[error(transparent)]
    Channel(#[from] ChannelDbError),
}

const COOKIE_NAME: &str = "custsync_session";
/// A session ends this long after sign-in (or a shopper's sign-up): a shift.
/// Use does not extend it, so that requests only read the session store.
const SESSION_HOURS: i64 = 8;
const EXPIRED_SWEEP: Duration = Duration::from_secs(15 * 60);

/// The session store: sessions in memory, written through to the
/// `tower_sessions` table of the channel database.
#[derive(Debug, Clone)]
pub struct SessionStores {
    cache: SessionCache,
    table: SqliteStore,
    channel: ChannelDb,
}

pub type SessionLayer = SessionManagerLayer<CachingSessionStore<SessionCache, SqliteStore>>;

impl SessionStores {
    /// The stores over the `tower_sessions` table of the channel database.
    pub fn new(channel: &ChannelDb) -> SessionStores {
        SessionStores {
            cache: SessionCache::default(),
            table: SqliteStore::new(channel.session_pool()),
            channel: channel.clone(),
        }
    }

    /// The session cookie over these stores. It is HttpOnly and
    /// SameSite=Lax: no script reads it, and other sites' forms do not
    /// carry it; `secure` where the site is served over HTTPS, so that the
    /// browser never sends it in clear.
    pub fn layer(&self, secure: bool) -> SessionLayer {
        SessionManagerLayer::new(CachingSessionStore::new(self.cache.clone(), self.table.clone()))
            .with_name(COOKIE_NAME)
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(secure)
            .with_expiry(Expiry::OnInactivity(time::Duration::hours(SESSION_HOURS)))
    }

    /// Ends every session `user_name` signed in with on this channel
    /// database; how many there were.
    pub async fn end_sessions_of(&self, user_name: &str) -> Result<usize, SessionStoreError> {
        let ids = self.channel.user_session_ids(user_name).await?;
        for id in ids.iter().filter_map(|id| Id::from_str(id).ok()) {
            self.cache.delete(&id).await?;
            self.table.delete(&id).await?;
        }
        self.channel.forget_user_sessions(user_name).await?;
        Ok(ids.len())
    }

    /// Deletes expired sessions now and then, for as long as the server runs.
    pub async fn sweep_expired(self) {
        let mut interval = tokio::time::interval(EXPIRED_SWEEP);
        loop {
            interval.tick().await;
            for result in [
                self.cache.delete_expired().await,
                self.table.delete_expired().await,
            ] {
                if let Err(error) = result {
                    tracing::warn!(%error, "expired sessions could not be deleted");
                }
            }
            if let Err(error) = self.channel.forget_ended_sessions().await {
                tracing::warn!(%error, "ended sessions could not be forgotten");
            }
        }
    }
}
