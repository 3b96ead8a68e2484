//! The sessions the server has seen, kept in memory in front of their
//! SQLite table: every request reads its session, and a read from memory
//! keeps that off the channel database. Sessions are written through to
//! SQLite, so a restart loses nothing. One server process serves a channel
//! database; a second one would not see the first one's sign-outs here.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::Mutex;
use tower_sessions::cookie::time::OffsetDateTime;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

/// Clones share one map.
#[derive(Debug, Clone, Default)]
pub struct SessionCache {
    records: Arc<Mutex<HashMap<Id, Record>>>,
}

fn is_active(record: &Record) -> bool {
    record.expiry_date > OffsetDateTime::now_utc()
}

#[async_trait]
impl SessionStore for SessionCache {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.save(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.records.lock().await.insert(record.id, record.clone());
        Ok(())
    }

    async fn load(&self, session_id: &Id) -> session_store::Result<Option<Record>> {
        Ok(self
            .records
            .lock()
            .await
            .get(session_id)
            .filter(|record| is_active(record))
            .cloned())
    }

    async fn delete(&self, session_id: &Id) -> session_store::Result<()> {
        self.records.lock().await.remove(session_id);
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for SessionCache {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.records.lock().await.retain(|_, record| is_active(record));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_sessions::cookie::time::Duration;

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
        assert_eq!(cache.records.lock().await.len(), 1);
        cache.delete(&active.id).await.expect("deleted");
        assert_eq!(cache.load(&active.id).await.expect("read"), None);
    }
}
