//! Services: the channel's customers, the POS's sales, the real-time service, the data
//! exchange (CDX), the sync, the jobs and the backend that holds them, and
//! the settings they start with. Each has its own error and knows nothing of
//! HTTP.

pub mod access;
pub mod backend;
pub mod cdx;
pub mod channel_config;
pub mod channel_customers;
pub mod feature_management;
pub mod jobs;
pub mod pos_sales;
pub mod realtime;
pub mod settings;
pub mod sync;
pub mod troubleshoot;
