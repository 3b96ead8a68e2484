//! Storage: every SQL statement, on the channel database and on HQ. Depends
//! on the domain only.

pub mod channel_db;
pub mod dialect;
pub mod hq_db;
pub mod postgres;
pub mod sqlite;
pub mod staging_tables;
