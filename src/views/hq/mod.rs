//! The HQ admin pages.

pub mod batch_jobs;
pub mod configuration;
pub mod customers;
pub mod distribution_schedule;
pub mod feature_management;
pub mod functionality_profiles;
pub mod job_panel;
pub mod realtime_calls;
pub mod sales_orders;
pub mod sync_status;
pub mod troubleshoot;
pub mod users;
