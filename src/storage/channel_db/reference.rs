//! The channels, registers and customer groups of the channel copy, kept in
//! memory: Add customer needs them for every create, and reading them from
//! SQLite each time cost two round trips to its threads per create. Every
//! question about them (which channel, does this register exist) is answered
//! from this one copy. Only job 1070 changes them
//! (`save_channel_configuration`), which drops the kept copy when it commits;
//! a copy is also read again after `MAX_AGE`, for a download written by
//! another process sharing the file.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::domain::records::ChannelRecord;

const MAX_AGE: Duration = Duration::from_secs(1);

/// What the channel copy held when it was read.
#[derive(Debug, Default)]
pub struct ReferenceCopy {
    /// The channels this scale unit serves.
    pub channels: Vec<ChannelRecord>,
    /// The channels other scale units serve.
    pub elsewhere: Vec<ChannelRecord>,
    /// The registers of the channels this scale unit serves.
    pub registers: HashSet<(i64, i64)>,
    /// (id, description), by id.
    pub customer_groups: Vec<(String, String)>,
}

impl ReferenceCopy {
    /// The copy of `channels` and `registers` as the scale unit `unit` uses
    /// it: a channel another unit serves, or none, has no register here.
    pub fn for_scale_unit(
        unit: &str,
        channels: Vec<ChannelRecord>,
        registers: impl IntoIterator<Item = (i64, i64)>,
        customer_groups: Vec<(String, String)>,
    ) -> ReferenceCopy {
        let (channels, elsewhere): (Vec<_>, Vec<_>) = channels
            .into_iter()
            .partition(|channel| channel.scale_unit.as_deref() == Some(unit));
        let served: HashSet<i64> = channels.iter().map(|channel| channel.channel_id).collect();
        ReferenceCopy {
            registers: registers
                .into_iter()
                .filter(|(channel_id, _)| served.contains(channel_id))
                .collect(),
            channels,
            elsewhere,
            customer_groups,
        }
    }

    /// A channel this scale unit does not serve: its name, and the unit
    /// that does when the copy knows one.
    pub fn served_elsewhere(&self, channel_id: i64) -> Option<(String, Option<String>)> {
        let channel = self
            .elsewhere
            .iter()
            .find(|channel| channel.channel_id == channel_id)?;
        Some((channel.name.clone(), channel.scale_unit.clone()))
    }

    /// The scale unit serving the online store, when another unit does.
    pub fn online_store_elsewhere(&self) -> Option<String> {
        self.elsewhere
            .iter()
            .filter(|channel| channel.kind == "online")
            .min_by_key(|channel| channel.channel_id)
            .and_then(|channel| channel.scale_unit.clone())
    }

    pub fn channel(&self, channel_id: i64) -> Option<ChannelRecord> {
        self.channels
            .iter()
            .find(|channel| channel.channel_id == channel_id)
            .cloned()
    }

    pub fn has_register(&self, channel_id: i64, register_number: i64) -> bool {
        self.registers.contains(&(channel_id, register_number))
    }

    pub fn channel_of_register(&self, channel_id: i64, register_number: i64) -> Option<ChannelRecord> {
        self.has_register(channel_id, register_number)
            .then(|| self.channel(channel_id))
            .flatten()
    }

    /// The online store with the lowest channel id.
    pub fn online_channel(&self) -> Option<ChannelRecord> {
        self.channels
            .iter()
            .filter(|channel| channel.kind == "online")
            .min_by_key(|channel| channel.channel_id)
            .cloned()
    }
}

/// The copy kept, when it was read, and how many writes have made a kept
/// copy stale, so that a copy read while one committed is not kept.
#[derive(Debug, Default)]
struct Kept {
    copy: Option<(Instant, Arc<ReferenceCopy>)>,
    changes: u64,
}

#[derive(Debug, Clone, Default)]
pub struct ReferenceCache {
    kept: Arc<Mutex<Kept>>,
}

impl ReferenceCache {
    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The kept copy, when there is a fresh one.
    pub fn fresh(&self) -> Option<Arc<ReferenceCopy>> {
        self.kept()
            .copy
            .as_ref()
            .filter(|(read_at, _)| read_at.elapsed() < MAX_AGE)
            .map(|(_, copy)| copy.clone())
    }

    /// Marks the start of a read of the copy; pass the mark to `keep`.
    pub fn before_read(&self) -> u64 {
        self.kept().changes
    }

    /// Keeps a copy read since `mark`, unless a write committed meanwhile.
    pub fn keep(&self, mark: u64, copy: Arc<ReferenceCopy>) {
        let mut kept = self.kept();
        if kept.changes == mark {
            kept.copy = Some((Instant::now(), copy));
        }
    }

    /// Drops the kept copy after a write to the tables it holds.
    pub fn changed(&self) {
        let mut kept = self.kept();
        kept.changes += 1;
        kept.copy = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel(channel_id: i64, kind: &str) -> ChannelRecord {
        ChannelRecord {
            channel_id,
            name: format!("Channel {channel_id}"),
            kind: kind.into(),
            default_customer_group: "30".into(),
            create_customer_async_mode: true,
            scale_unit: None,
        }
    }

    fn served_by(unit: &str, mut channel: ChannelRecord) -> ChannelRecord {
        channel.scale_unit = Some(unit.to_string());
        channel
    }

    #[test]
    fn a_scale_unit_serves_its_own_channels_and_names_the_unit_of_the_others() {
        let copy = ReferenceCopy::for_scale_unit(
            "Houston",
            vec![
                served_by("Houston", channel(1, "store")),
                served_by("Seattle", channel(2, "store")),
                served_by("Online", channel(3, "online")),
            ],
            [(1, 1), (1, 2), (2, 1)],
            Vec::new(),
        );
        assert_eq!(copy.channel_of_register(1, 2).map(|c| c.channel_id), Some(1));
        assert_eq!(
            copy.channel_of_register(2, 1),
            None,
            "Seattle's register is not Houston's"
        );
        assert_eq!(copy.online_channel(), None);
        assert_eq!(copy.online_store_elsewhere().as_deref(), Some("Online"));
        assert_eq!(
            copy.served_elsewhere(2),
            Some(("Channel 2".to_string(), Some("Seattle".to_string())))
        );
        assert_eq!(copy.served_elsewhere(1), None);

        let nobodys =
            ReferenceCopy::for_scale_unit("Houston", vec![channel(2, "store")], [(2, 1)], Vec::new());
        assert!(
            !nobodys.has_register(2, 1),
            "a channel no unit serves is not served here"
        );
        assert_eq!(nobodys.served_elsewhere(2), Some(("Channel 2".to_string(), None)));
    }

    #[test]
    fn a_register_belongs_to_its_channel_only_when_the_copy_has_it() {
        let copy = ReferenceCopy {
            channels: vec![channel(1, "store"), channel(2, "store")],
            registers: HashSet::from([(1, 1), (2, 1)]),
            ..ReferenceCopy::default()
        };
        assert_eq!(copy.channel_of_register(2, 1).map(|c| c.channel_id), Some(2));
        assert_eq!(copy.channel_of_register(1, 2), None);
        assert_eq!(copy.channel_of_register(3, 1), None);
    }

    #[test]
    fn the_online_store_is_the_one_with_the_lowest_id() {
        let copy = ReferenceCopy {
            channels: vec![channel(9, "online"), channel(1, "store"), channel(5, "online")],
            ..ReferenceCopy::default()
        };
        assert_eq!(copy.online_channel().map(|c| c.channel_id), Some(5));
    }

    #[test]
    fn a_copy_read_while_a_write_committed_is_not_kept() {
        let cache = ReferenceCache::default();
        let mark = cache.before_read();
        cache.changed();
        cache.keep(mark, Arc::new(ReferenceCopy::default()));
        assert!(cache.fresh().is_none());
        let mark = cache.before_read();
        cache.keep(mark, Arc::new(ReferenceCopy::default()));
        assert!(cache.fresh().is_some());
        cache.changed();
        assert!(cache.fresh().is_none());
    }
}
