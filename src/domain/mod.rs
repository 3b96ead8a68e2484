//! The domain: plain Rust types and the rules of asynchronous customer mode,
//! shared by the server and the browser, without I/O. Every other floor
//! builds on it (README, "Code map").

pub mod access;
pub mod backlog;
pub mod configuration;
pub mod customer;
pub mod diagnosis;
pub mod features;
pub mod hq_customers;
pub mod jobs;
pub mod operation;
pub mod operation_detail;
pub mod realtime_calls;
pub mod records;
pub mod registers;
pub mod sales;
pub mod scale_units;
pub mod status_page;
pub mod troubleshoot;
