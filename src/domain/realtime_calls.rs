//! The real-time service calls HQ lists: one call, the list's filters and
//! the page.

use serde::{Deserialize, Serialize};

/// The operations and the outcomes the list can be filtered by.
pub const OPERATIONS: [&str; 3] = ["Create customer", "Update customer", "Add address"];
pub const OUTCOMES: [&str; 3] = ["Succeeded", "Failed", "Staged asynchronously"];

/// The list's filters, as the URL carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallFilter {
    pub channel_id: Option<i64>,
    pub operation: Option<String>,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct RealtimeCallRow {
    pub call_id: i64,
    pub called_at: String,
    pub channel: Option<String>,
    pub register_number: Option<i64>,
    pub operation: String,
    pub customer: String,
    pub reason: String,
    pub outcome: String,
    pub duration_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallsPage {
    pub unreachable: bool,
    pub channels: Vec<(i64, String)>,
    pub calls: Vec<RealtimeCallRow>,
}
