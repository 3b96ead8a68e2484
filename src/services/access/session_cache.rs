//! The sessions the server has seen, kept in memory in front of their
//! SQLite table: every request reads its session, and a read from memory
//! keeps that off the channel database. Sessions are written through to
//! SQLite, so a restart loses nothing. One server process serves a channel
//! database; a second one would not see the first one's sign-outs here.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::Mutex;
use tower_sessions::cookie::time::{Duration, OffsetDateTime};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

/// Clones share one map.
#[derive(Debug, Clone, Default)]
pub struct SessionCache {
    sessions: Arc<Mutex<Sessions>>,
}

#[derive(Debug, Default)]
struct Sessions {
    records: HashMap<Id, Record>,
    /// Sessions ended (signed out), until they would have expired: a
    /// request that was running when its session ended saves the session at
    /// its end, and must not bring it back.
    ended: HashMap<Id, OffsetDateTime>,
}

/// A session ends this long after sign-in (or a shopper's sign-up): a
/// shift. Use does not extend it, so that requests only read the session
/// store. An ended session is remembered as long.
pub const SESSION_LIFETIME: Duration = Duration::hours(8);

fn is_active(record: &Record) -> bool {
    record.expiry_date > OffsetDateTime::now_utc()
}

impl SessionCache {
    /// Whether the session `id` was ended.
    pub async fn is_ended(&self, id: &Id) -> bool {
        self.sessions.lock().await.ended.contains_key(id)
    }
}

#[async_trait]
impl SessionStore for SessionCache {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.save(record).await
    }

    /// Keeps `record`, unless its session was ended.
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let mut sessions = self.sessions.lock().await;
        if !sessions.ended.contains_key(&record.id) {
            sessions.records.insert(record.id, record.clone());
        }
        Ok(())
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        Ok(self
            .sessions
            .lock()
            .await
            .records
            .get(session_id)
            .filter(|record| is_active(record))
            .cloned())
    }

    /// Ends the session `session_id`: it is forgotten, and not kept again.
    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        let mut sessions = self.sessions.lock().await;
        let expires = sessions
            .records
            .remove(session_id)
            .map(|record| record.expiry_date)
            .unwrap_or_else(|| OffsetDateTime::now_utc() + SESSION_LIFETIME);
        sessions.ended.insert(*session_id, expires);
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for SessionCache {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let now = OffsetDateTime::now_utc();
        let mut sessions = self.sessions.lock().await;
        sessions.records.retain(|_, record| is_active(record));
        sessions.ended.retain(|_, expires| *expires > now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(expires_in: Duration) -> Record {
        Record {
            id: Id::default(),
            data: Default::default(),
            expiry_date: OffsetDateTime::now_utc() + expires_in,
        }
    }

    #[tokio::test]
    async fn an_expired_session_is_neither_served_nor_kept() {
        let cache = SessionCache::default();
        let active = record(Duration::hours(1));
        let expired = record(Duration::seconds(-1));
        cache.save(&active).await.expect("saved");
        cache.save(&expired).await.expect("saved");
        assert_eq!(cache.load(&active.id).await.expect("read"), Some(active.clone()));
        assert_eq!(cache.load(&expired.id).await.expect("read"), None);
        cache.delete_expired().await.expect("swept");
        assert_eq!(cache.sessions.lock().await.records.len(), 1);
        cache.delete(&active.id).await.expect("deleted");
        assert_eq!(cache.load(&active.id).await.expect("read"), None);
    }

    #[tokio::test]
    async fn an_ended_session_saved_again_stays_ended_until_it_would_have_expired() {
        let cache = SessionCache::default();
        let session = record(Duration::hours(1));
        cache.save(&session).await.expect("saved");
        cache.delete(&session.id).await.expect("ended");
        cache.save(&session).await.expect("saved");
        assert_eq!(cache.load(&session.id).await.expect("read"), None);
        assert!(cache.is_ended(&session.id).await);

        cache
            .sessions
            .lock()
            .await
            .ended
            .insert(session.id, OffsetDateTime::now_utc() - Duration::seconds(1));
        cache.delete_expired().await.expect("swept");
        assert!(
            !cache.is_ended(&session.id).await,
            "forgotten once it would have expired"
        );
    }
}
