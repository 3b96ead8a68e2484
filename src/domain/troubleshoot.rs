//! What the Troubleshoot page answers from: the live evidence of
//! asynchronous customer mode.

use serde::{Deserialize, Serialize};

use crate::domain::diagnosis::ModeEvidence;
use crate::domain::sales::SalesOrderRow;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobStatus {
    pub code: String,
    pub name: String,
    pub last_started: Option<String>,
    pub schedule_minutes: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TroubleshootReport {
    pub editing_enabled: bool,
    pub editing_missing: Vec<String>,
    pub evidence: Vec<ModeEvidence>,
    pub fallback_waiting: i64,
    pub pending_upload: i64,
    pub pending_sync: i64,
    pub failed: i64,
    /// Customers HQ created or changed since this scale unit's last run of
    /// job 1010, which the registers of its stores do not show yet.
    pub customers_not_downloaded: i64,
    /// Sales in this scale unit's channel database waiting for the P-job.
    pub sales_pending_upload: i64,
    /// Sales in HQ that Synchronize orders has still to settle, waiting
    /// for their customer or not.
    pub sales_open: i64,
    /// The newest sales waiting for their customer, with the reason.
    pub sales_waiting: Vec<SalesOrderRow>,
    pub jobs: Vec<JobStatus>,
    pub cache_age_seconds: u64,
    pub cache_ttl_seconds: u64,
}
