//! What the Troubleshoot page answers from: the live evidence of
//! asynchronous customer mode.

use serde::{Deserialize, Serialize};

use crate::domain::diagnosis::ModeEvidence;

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
    pub jobs: Vec<JobStatus>,
    pub cache_age_seconds: u64,
    pub cache_ttl_seconds: u64,
}
