//! The server functions of HQ's pages.

pub mod customers;
pub mod feature_management;
pub mod functionality_profiles;
pub mod jobs;
pub mod realtime_calls;
pub mod sales_orders;
pub mod sync_status;
#[cfg(feature = "ssr")]
pub mod sync_status_export;
pub mod troubleshoot;
pub mod users;
