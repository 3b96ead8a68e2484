//! The HQ admin pages.

pub mod batch_jobs;
pub mod customers;
pub mod distribution_schedule;
mod job_panel;
pub mod sync_status;
