//! An asynchronous customer operation: its id, made where it is first
//! saved, and where it stands as the admin pages see it.

use serde::{Deserialize, Serialize};

/// The id of one operation (a create, an edit, an address addition): a
/// GUID made before the operation is first sent, so the same save sent
/// twice is recognised and carried out once. The browser makes it when it
/// opens a form; a form the server draws open carries one the server made,
/// which the page's code takes over as it hydrates. A staged operation
/// keeps it as its temporary id in `RETAILASYNCCUSTOMERV2`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OperationId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("An operation id must be a GUID, such as 0f8fad5b-d9cb-469f-a165-70867728950e.")]
pub struct NotAGuid;

impl OperationId {
    /// A GUID in its usual form (32 hexadecimal digits in groups of 8, 4,
    /// 4, 4 and 12), kept in lower case.
    pub fn parse(text: &str) -> Result<OperationId, NotAGuid> {
        let is_guid = text.len() == 36
            && text.char_indices().all(|(at, c)| match at {
                8 | 13 | 18 | 23 => c == '-',
                _ => c.is_ascii_hexdigit(),
            });
        if is_guid {
            Ok(OperationId(text.to_ascii_lowercase()))
        } else {
            Err(NotAGuid)
        }
    }

    /// A GUID ordered by the time it was made (the layout of a version 7
    /// GUID, RFC 9562): the Unix time in milliseconds in its first 48 bits,
    /// random bytes in the rest. Staging tables and HQ's copies are keyed by
    /// this id: ids made about the same time sort beside each other, so a
    /// group of creates adds to the last pages of each index, where random
    /// ids wrote a page of every index for each create.
    pub fn from_time_and_random_bytes(unix_millis: u64, mut bytes: [u8; 16]) -> OperationId {
        bytes[..6].copy_from_slice(&unix_millis.to_be_bytes()[2..]);
        bytes[6] = (bytes[6] & 0x0f) | 0x70;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let mut text = String::with_capacity(36);
        for (at, byte) in bytes.iter().enumerate() {
            if matches!(at, 4 | 6 | 8 | 10) {
                text.push('-');
            }
            text.push_str(&format!("{byte:02x}"));
        }
        OperationId(text)
    }

    /// A new id made now, for operations the server itself starts (tests,
    /// the benchmark's clients).
    #[cfg(feature = "ssr")]
    pub fn random() -> OperationId {
        let unix_millis = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_millis() as u64);
        OperationId::from_time_and_random_bytes(unix_millis, uuid::Uuid::new_v4().into_bytes())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for OperationId {
    type Err = NotAGuid;

    fn from_str(text: &str) -> Result<OperationId, NotAGuid> {
        OperationId::parse(text)
    }
}

impl std::fmt::Display for OperationId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an operation stands in the pipeline, from the store to the HQ account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OperationStatus {
    /// Staged in the channel database; the P-job has not uploaded it yet.
    PendingUpload,
    /// Uploaded to HQ; "Synchronize customers and channel requests" has not
    /// completed it yet.
    PendingSync,
    Synced,
    /// The last sync attempt failed; the error says why.
    Failed,
}

impl OperationStatus {
    pub fn caption(self) -> &'static str {
        match self {
            OperationStatus::PendingUpload => "Pending upload",
            OperationStatus::PendingSync => "Pending sync",
            OperationStatus::Synced => "Synced",
            OperationStatus::Failed => "Failed",
        }
    }

    /// The value the URL and the HQ `status` column use.
    pub fn code(self) -> &'static str {
        match self {
            OperationStatus::PendingUpload => "pending_upload",
            OperationStatus::PendingSync => "pending_sync",
            OperationStatus::Synced => "synced",
            OperationStatus::Failed => "failed",
        }
    }

    /// Whether Synchronize can take an operation of this status: one
    /// uploaded and not yet synced, or one that failed.
    pub fn can_synchronize(self) -> bool {
        matches!(self, OperationStatus::PendingSync | OperationStatus::Failed)
    }

    pub fn from_code(code: &str) -> Option<OperationStatus> {
        OperationStatus::ALL
            .into_iter()
            .find(|status| status.code() == code)
    }

    pub const ALL: [OperationStatus; 4] = [
        OperationStatus::PendingUpload,
        OperationStatus::PendingSync,
        OperationStatus::Synced,
        OperationStatus::Failed,
    ];

    /// The heading of the note beside an operation's status: a failed
    /// one's error, or why one still pending waits.
    pub fn note_heading(self) -> &'static str {
        match self {
            OperationStatus::Failed => "Error",
            _ => "Why it waits",
        }
    }

    /// The status of an uploaded operation, from its HQ flags.
    pub fn of_uploaded(online_operation_completed: bool, has_error: bool) -> Self {
        match (online_operation_completed, has_error) {
            (true, _) => OperationStatus::Synced,
            (false, true) => OperationStatus::Failed,
            (false, false) => OperationStatus::PendingSync,
        }
    }
}

/// Timestamps are stored as UTC ISO-8601 text; pages show them to the second.
pub fn display_time(stored: &str) -> String {
    let trimmed = stored.trim_end_matches('Z');
    let without_fraction = trimmed.split('.').next().unwrap_or(trimmed);
    format!("{} UTC", without_fraction.replace('T', " "))
}

/// Milliseconds since 1970 of a stored UTC time (`2026-12-02T09:30:00.123Z`);
/// None for text that is not one.
pub fn stored_time_ms(stored: &str) -> Option<i64> {
    let (date, clock) = stored.trim_end_matches('Z').split_once('T')?;
    let mut date_parts = date.splitn(3, '-').map(str::parse::<i64>);
    let (year, month, day) = (
        date_parts.next()?.ok()?,
        date_parts.next()?.ok()?,
        date_parts.next()?.ok()?,
    );
    let month = time::Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date =
        time::Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()?;
    let (hms, fraction) = clock.split_once('.').unwrap_or((clock, "0"));
    let mut clock_parts = hms.splitn(3, ':').map(str::parse::<i64>);
    let (hours, minutes, seconds) = (
        clock_parts.next()?.ok()?,
        clock_parts.next()?.ok()?,
        clock_parts.next()?.ok()?,
    );
    if !(0..24).contains(&hours) || !(0..60).contains(&minutes) || !(0..61).contains(&seconds) {
        return None;
    }
    let millis: i64 = format!("{fraction:0<3}").get(..3)?.parse().ok()?;
    let days = i64::from(date.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY;
    Some(((days * 24 + hours) * 60 + minutes) * 60_000 + seconds * 1_000 + millis)
}

/// A time given in milliseconds since 1970, as times are stored.
#[cfg(feature = "ssr")]
pub fn stored_time_text(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let date = i32::try_from(days + UNIX_EPOCH_JULIAN_DAY)
        .ok()
        .and_then(|day| time::Date::from_julian_day(day).ok())
        .unwrap_or(time::Date::MIN);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        date.year(),
        u8::from(date.month()),
        date.day(),
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1_000 % 60,
        in_day % 1_000
    )
}

/// Now, as times are stored.
#[cfg(feature = "ssr")]
pub fn stored_time_now() -> String {
    let since_1970 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    stored_time_text(i64::try_from(since_1970.as_millis()).unwrap_or(i64::MAX))
}

/// 1970-01-01 as a Julian day number.
pub(crate) const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synchronize_takes_operations_uploaded_and_not_synced_or_failed() {
        let takes: Vec<OperationStatus> = OperationStatus::ALL
            .into_iter()
            .filter(|status| status.can_synchronize())
            .collect();
        assert_eq!(takes, [OperationStatus::PendingSync, OperationStatus::Failed]);
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn times_are_written_as_they_are_stored() {
        assert_eq!(stored_time_text(1_796_203_800_123), "2026-12-02T09:30:00.123Z");
        assert_eq!(stored_time_text(86_401_500), "1970-01-02T00:00:01.500Z");
        assert_eq!(
            stored_time_ms(&stored_time_now()).map(|ms| ms > 1_796_203_800_123),
            Some(true)
        );
    }

    #[test]
    fn stored_times_read_back_to_the_millisecond() {
        assert_eq!(stored_time_ms("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(stored_time_ms("1970-01-02T00:00:01.5Z"), Some(86_401_500));
        assert_eq!(
            stored_time_ms("2026-12-02T09:30:00.123Z"),
            Some(1_796_203_800_123)
        );
        assert_eq!(stored_time_ms("2026-12-02T09:30:00Z"), Some(1_796_203_800_000));
        for bad in [
            "",
            "2026-12-02",
            "2026-13-02T09:30:00Z",
            "2026-12-02T25:00:00Z",
            "2026-12-02Tnoon",
        ] {
            assert_eq!(stored_time_ms(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_guid_is_an_operation_id_in_lower_case() {
        let id = OperationId::parse("0F8FAD5B-D9CB-469F-A165-70867728950E").expect("a GUID");
        assert_eq!(id.as_str(), "0f8fad5b-d9cb-469f-a165-70867728950e");
    }

    #[test]
    fn anything_else_is_not_an_operation_id() {
        for bad in [
            "",
            "C000001",
            "0f8fad5b-d9cb-469f-a165-70867728950",
            "0f8fad5b-d9cb-469f-a165-70867728950e0",
            "0f8fad5bd9cb-469f-a165-70867728950e-",
            "0f8fad5b-d9cb-469f-a165-70867728950g",
            "0f8fad5b-d9cb-469f-a165-70867728950\u{e9}",
            "' OR 1=1 --------------------------",
        ] {
            assert_eq!(OperationId::parse(bad), Err(NotAGuid), "{bad:?}");
        }
    }

    #[test]
    fn an_id_begins_with_the_time_it_was_made() {
        let id = OperationId::from_time_and_random_bytes(0x0123_4567_89ab, [0xff; 16]);
        assert_eq!(id.as_str(), "01234567-89ab-7fff-bfff-ffffffffffff");
        let id = OperationId::from_time_and_random_bytes(0, [0; 16]);
        assert_eq!(id.as_str(), "00000000-0000-7000-8000-000000000000");
        assert_eq!(OperationId::parse(id.as_str()), Ok(id));
    }

    #[test]
    fn ids_made_later_sort_after_earlier_ones() {
        let earlier = OperationId::from_time_and_random_bytes(1_796_203_800_123, [0xff; 16]);
        let later = OperationId::from_time_and_random_bytes(1_796_203_800_124, [0; 16]);
        assert!(earlier.as_str() < later.as_str());
    }

    #[test]
    fn uploaded_status_follows_the_hq_flags() {
        assert_eq!(OperationStatus::of_uploaded(true, false), OperationStatus::Synced);
        assert_eq!(OperationStatus::of_uploaded(true, true), OperationStatus::Synced);
        assert_eq!(OperationStatus::of_uploaded(false, true), OperationStatus::Failed);
        assert_eq!(
            OperationStatus::of_uploaded(false, false),
            OperationStatus::PendingSync
        );
    }

    #[test]
    fn times_are_shown_to_the_second() {
        assert_eq!(
            display_time("2026-11-25T18:07:17.123Z"),
            "2026-11-25 18:07:17 UTC"
        );
        assert_eq!(display_time("2026-11-25T18:07:17Z"), "2026-11-25 18:07:17 UTC");
    }
}
