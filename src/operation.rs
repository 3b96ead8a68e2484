//! An asynchronous customer operation as the admin pages see it.

use serde::{Deserialize, Serialize};

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

#[cfg(test)]
mod tests {
    use super::*;

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
