//! Where sessions are kept: in memory, written through to the
//! `tower_sessions` table of the channel database, and the cookie that names
//! them. The request's side of a session is in `sessions`.

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

use super::session_cache::{SESSION_LIFETIME, SessionCache};
use crate::domain::scale_units::session_cookie_name;
use crate::storage::channel_db::{ChannelDb, ChannelDbError};
use crate::storage::hq_db::{HqDb, HqDbError};

/// Why sessions could not be ended.
#[derive(Debug, thiserror::Error)]
pub enum SessionStoreError {
    #[error("a session store failed: {0}")]
    Store(#[from] session_store::Error),
    #[error(transparent)]
    Channel(#[from] ChannelDbError),
    #[error(transparent)]
    Hq(#[from] HqDbError),
}

const EXPIRED_SWEEP: Duration = Duration::from_secs(15 * 60);
/// How often a scale unit looks in HQ for sessions ended in another unit.
const CHAIN_SIGN_OUTS_EVERY: Duration = Duration::from_secs(2);

/// The session store: sessions in memory, written through to the
/// `tower_sessions` table of the channel database.
#[derive(Debug, Clone)]
pub struct SessionStores {
    store: SessionTable,
    channel: ChannelDb,
}

pub type SessionLayer = SessionManagerLayer<SessionTable>;

/// The `tower_sessions` table with the sessions in memory in front of it.
/// A session ended (signed out here, in another tab or on the chain) stays
/// ended when a request that was running meanwhile saves it at its end:
/// `tower_sessions`' own store would write it back.
#[derive(Debug, Clone)]
pub struct SessionTable {
    cache: SessionCache,
    table: SqliteStore,
}

#[async_trait]
impl SessionStore for SessionTable {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.table.create(record).await?;
        self.cache.save(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        if self.cache.is_ended(&record.id).await {
            return Ok(());
        }
        self.table.save(record).await?;
        // Ended while it was written: the end's own delete may have come
        // before the write.
        if self.cache.is_ended(&record.id).await {
            return self.table.delete(&record.id).await;
        }
        self.cache.save(record).await
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        if let Some(record) = self.cache.load(session_id).await? {
            return Ok(Some(record));
        }
        let Some(record) = self.table.load(session_id).await? else {
            return Ok(None);
        };
        self.cache.save(&record).await?;
        // None when it was ended while it was read.
        self.cache.load(session_id).await
    }

    /// Ends the session: marked ended in memory first, so that no save
    /// running meanwhile writes it back.
    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        self.cache.delete(session_id).await?;
        self.table.delete(session_id).await
    }
}

#[async_trait]
impl ExpiredDeletion for SessionTable {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.cache.delete_expired().await?;
        self.table.delete_expired().await
    }
}

impl SessionStores {
    /// The stores over the `tower_sessions` table of the channel database.
    pub fn new(channel: &ChannelDb) -> SessionStores {
        SessionStores {
            store: SessionTable {
                cache: SessionCache::default(),
                table: SqliteStore::new(channel.session_pool()),
            },
            channel: channel.clone(),
        }
    }

    /// The store the session layer keeps sessions in.
    pub fn store(&self) -> SessionTable {
        self.store.clone()
    }

    /// The session cookie over these stores. It is HttpOnly and
    /// SameSite=Lax: no script reads it, and other sites' forms do not
    /// carry it; `secure` where the site is served over HTTPS, so that the
    /// browser never sends it in clear.
    pub fn layer(&self, secure: bool) -> SessionLayer {
        SessionManagerLayer::new(self.store())
            .with_name(session_cookie_name(self.channel.scale_unit()))
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(secure)
            .with_expiry(Expiry::OnInactivity(SESSION_LIFETIME))
    }

    /// Ends every session `user_name` signed in with on this channel
    /// database; how many there were.
    pub async fn end_sessions_of(&self, user_name: &str) -> Result<usize, SessionStoreError> {
        self.end_sessions_before(user_name, i64::MAX).await
    }

    /// Ends the sessions `user_name` began before HQ's session end
    /// `end_id`: one begun after it (signed in again) stays.
    async fn end_sessions_before(&self, user_name: &str, end_id: i64) -> Result<usize, SessionStoreError> {
        let ids = self.channel.user_session_ids(user_name, end_id).await?;
        for id in ids.iter().filter_map(|id| Id::from_str(id).ok()) {
            self.store.delete(&id).await?;
        }
        self.channel.forget_sessions(&ids).await?;
        Ok(ids.len())
    }

    /// Records that session `session_id` is `user_name`'s, begun when HQ's
    /// last session end was `last_end_seen`; false, with the session ended,
    /// when HQ signed the user out since. The chain's sign-outs this unit
    /// applied while the sign-in checked the password found no session of
    /// theirs to end, and are not read again.
    pub async fn record_sign_in(
        &self,
        hq: &HqDb,
        session_id: &str,
        user_name: &str,
        last_end_seen: i64,
    ) -> Result<bool, SessionStoreError> {
        self.channel
            .record_user_session(session_id, user_name, last_end_seen)
            .await?;
        let mut kept = true;
        for (end_id, signed_out) in hq.session_ends_after(last_end_seen).await? {
            if signed_out == user_name {
                self.end_sessions_before(user_name, end_id).await?;
                kept = false;
            }
        }
        Ok(kept)
    }

    /// Ends here the sessions of the users HQ says were signed out (or had
    /// their role or store changed) since this unit last looked, on any
    /// scale unit; how many sessions ended.
    pub async fn apply_chain_sign_outs(&self, hq: &HqDb) -> Result<usize, SessionStoreError> {
        let applied = self.channel.applied_session_end().await?;
        let mut ended = 0;
        for (end_id, user_name) in hq.session_ends_after(applied).await? {
            ended += self.end_sessions_before(&user_name, end_id).await?;
            self.channel.set_applied_session_end(end_id).await?;
        }
        Ok(ended)
    }

    /// Follows the sign-outs of the whole chain, for as long as the server
    /// runs: a user signed out on one scale unit is signed out on every
    /// unit within seconds.
    pub async fn follow_chain_sign_outs(self, hq: HqDb) {
        let mut interval = tokio::time::interval(CHAIN_SIGN_OUTS_EVERY);
        loop {
            interval.tick().await;
            match self.apply_chain_sign_outs(&hq).await {
                Ok(0) => {}
                Ok(ended) => tracing::info!(ended, "ended sessions signed out on the chain"),
                Err(error) => tracing::warn!(%error, "could not apply the chain's sign-outs"),
            }
        }
    }

    /// Deletes expired sessions now and then, for as long as the server runs.
    pub async fn sweep_expired(self) {
        let mut interval = tokio::time::interval(EXPIRED_SWEEP);
        loop {
            interval.tick().await;
            if let Err(error) = self.store.delete_expired().await {
                tracing::warn!(%error, "expired sessions could not be deleted");
            }
            if let Err(error) = self.channel.forget_ended_sessions().await {
                tracing::warn!(%error, "ended sessions could not be forgotten");
            }
        }
    }
}
