//! The scale unit's configuration cache: the channel reads feature states
//! and functionality profiles through it, so a change downloaded by job
//! 1110 or 1070 is seen only once the cached copy has expired.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::domain::features::Feature;
use crate::storage::channel_db::{ChannelDb, ChannelDbError, ConfigurationCopy};

/// The copy the cache holds and when it was read.
type Loaded = Option<(Instant, Arc<ConfigurationCopy>)>;

#[derive(Debug, Clone)]
pub struct ChannelConfigCache {
    channel: ChannelDb,
    ttl: Duration,
    cached: Arc<Mutex<Loaded>>,
}

/// The configuration as the cache serves it, with its age.
#[derive(Debug, Clone)]
pub struct CachedConfig {
    pub copy: Arc<ConfigurationCopy>,
    pub age: Duration,
    pub ttl: Duration,
}

impl CachedConfig {
    pub fn feature_enabled(&self, feature: Feature) -> bool {
        self.copy
            .features
            .iter()
            .any(|f| f.name == feature.name() && f.enabled)
    }

    /// Whether the channel's functionality profile says "Create customer in async mode".
    pub fn async_mode(&self, channel_id: i64) -> bool {
        self.copy
            .channels
            .iter()
            .any(|c| c.channel_id == channel_id && c.create_customer_async_mode)
    }
}

impl ChannelConfigCache {
    pub fn new(channel: ChannelDb, ttl: Duration) -> ChannelConfigCache {
        ChannelConfigCache {
            channel,
            ttl,
            cached: Arc::new(Mutex::new(None)),
        }
    }

    /// The cached configuration, read again from the channel database once
    /// it is older than the time to live.
    pub async fn get(&self) -> Result<CachedConfig, ChannelDbError> {
        let mut cached = self.cached.lock().await;
        let fresh = cached.as_ref().filter(|(loaded, _)| loaded.elapsed() < self.ttl);
        let (loaded, copy) = match fresh {
            Some((loaded, copy)) => (*loaded, copy.clone()),
            None => {
                let copy = Arc::new(self.channel.configuration_copy().await?);
                let loaded = Instant::now();
                *cached = Some((loaded, copy.clone()));
                (loaded, copy)
            }
        };
        Ok(CachedConfig {
            copy,
            age: loaded.elapsed(),
            ttl: self.ttl,
        })
    }

    /// Drops the cached copy, so the next read takes the channel database's.
    pub async fn flush(&self) {
        *self.cached.lock().await = None;
    }
}
